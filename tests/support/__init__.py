"""What tests share: fresh databases on both engines, the application in this process,
order and outbox helpers, the OpenAPI checks, and a sandboxed server's control API. Processes, PostgreSQL itself, a webhook
receiver and waiting come from `number_orders.testing`, which benchmarks use too."""
