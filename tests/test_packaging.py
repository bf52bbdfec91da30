"""The distribution holds every module: a folder without __init__.py is left out of the wheel.

.ci/wheel_check installs the built wheel into a fresh virtualenv; this test catches the commonest
cause of a broken wheel in the ordinary test run.
"""
import configparser
import os

import setuptools

import tfgraph
import tfgraph_keras

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGES = ("tfgraph", "tfgraph_keras", "tfgraph_cli")


def source_folders():
    for top in PACKAGES:
        for folder, dirs, files in os.walk(os.path.join(REPO, top)):
            dirs[:] = [d for d in dirs if d != "__pycache__" and not d.startswith(".")]
            if any(f.endswith(".py") for f in files):
                yield os.path.relpath(folder, REPO).replace(os.sep, ".")


def test_every_source_folder_is_a_regular_package():
    missing = [f for f in source_folders()
               if not os.path.exists(os.path.join(REPO, f.replace(".", os.sep), "__init__.py"))]
    assert missing == [], "folders without __init__.py (left out of the wheel): %s" % missing


def test_setup_cfg_finds_every_package():
    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(REPO, "setup.cfg"))
    include = cfg["options.packages.find"]["include"].split()
    found = set(setuptools.find_packages(REPO, include=include))
    assert set(source_folders()) <= found, sorted(set(source_folders()) - found)


def test_package_data_files_are_declared():
    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(REPO, "setup.cfg"))
    declared = {pkg: pats.split() for pkg, pats in cfg["options.package_data"].items()}
    undeclared = []
    for top in PACKAGES:
        for folder, dirs, files in os.walk(os.path.join(REPO, top)):
            dirs[:] = [d for d in dirs if d != "__pycache__" and not d.startswith(".")]
            pkg = os.path.relpath(folder, REPO).replace(os.sep, ".")
            for name in files:
                ext = os.path.splitext(name)[1]
                if ext not in (".py", ".pyc") and "*" + ext not in declared.get(pkg, []):
                    undeclared.append(os.path.join(pkg, name))
    assert undeclared == [], "data files not in setup.cfg's package_data: %s" % undeclared


def test_versions_come_from_the_distribution_metadata():
    from importlib import metadata
    assert tfgraph.__version__ == tfgraph_keras.__version__ == metadata.version("tfgraph")
