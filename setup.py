"""Which packages the wheel holds; everything else about the package is in pyproject.toml.

Discovery finds litfass and its sub-packages. The default theme is the folder templates/
(pyproject.toml's package-dir), which has no folder of its own name to be discovered by; its
sub-folders (partials/, static/, i18n/) are listed too, as setuptools wants of data folders
whose names could be imported.
"""

from setuptools import find_namespace_packages, find_packages, setup

THEME = "litfass.default_theme"
theme = [THEME, *(f"{THEME}.{name}" for name in find_namespace_packages(where="templates"))]
setup(packages=[*find_packages(include=["litfass*"]), *theme])
