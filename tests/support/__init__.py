"""What tests share: fresh databases on both engines, the application in this process,
order and outbox helpers, and the OpenAPI checks. Processes, PostgreSQL itself, a webhook
receiver and waiting come from `number_orders.testing`, which benchmarks use too."""
