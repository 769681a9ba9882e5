"""The package version, in a module of its own: modules on any floor read it from here, so
that none of them imports the package root (whose lazy API names point at the top floors)."""

__version__ = "0.1.0"
