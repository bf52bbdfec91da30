"""README.md's "Supported TF1 API" section is what tools/supported_api.py generates from the package,
so the list cannot drift from the code (regenerate with `python tools/supported_api.py --write`)."""
import importlib.util
import os

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _tool():
    spec = importlib.util.spec_from_file_location(
        "supported_api", os.path.join(REPO, "tools", "supported_api.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_lists_the_api_the_package_has():
    tool = _tool()
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    assert tool.BEGIN in readme and tool.END in readme
    current = readme[readme.index(tool.BEGIN):readme.index(tool.END) + len(tool.END) + 1]
    assert current == tool.section(), "README.md is stale: run python tools/supported_api.py --write"


def test_the_generated_list_names_real_attributes():
    import tfgraph as tf
    tool = _tool()
    for line in tool.section().splitlines():
        if line.startswith("- **tf"):
            label = line[4:line.index("**", 4)]
            obj = tf if label == "tf" else tool._resolve(tf, label[3:])
            for name in line.split(": ", 1)[1].split(", "):
                assert hasattr(obj, name.strip("`")), (label, name)
