"""litfass: a static site generator for the news portal of an association.

config.yaml -> Config -> content/**/*.md -> [Page] -> Site -> [Output] -> output/
"""

__version__ = "0.1.0"
