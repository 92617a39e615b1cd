"""The ``guiyang-ops`` command: set up the cluster and the database, load reference data, seed the demo city,
run the simulator, manage accounts and API keys, and serve the app. A layer above the web (:mod:`dashboard`), whose
settings and server it uses; the web never imports it."""
