"""csctools: data tools for children's services departments in England."""

__version__ = "0.1.0"
