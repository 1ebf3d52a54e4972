"""The ``creatormatch`` command line: serve, migrate, manage organisations and keys, import
and export creators, load the demo roster."""
