from number_orders.cli import main

raise SystemExit(main())
