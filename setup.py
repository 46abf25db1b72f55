"""Build configuration that pyproject.toml cannot say: the top-level folders
`templates/` and `experiments/` (kept where the project's users asked for them) are
shipped inside the wheel as `tal/templates/` and `tal/samples/`. Everything else is
in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["tal", "tal.*"]) + ["tal.templates", "tal.samples"],
    package_dir={"tal.templates": "templates", "tal.samples": "experiments"},
)
