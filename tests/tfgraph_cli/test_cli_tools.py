"""tfgraph --help, bench and board, run as subprocesses (no benchmark or server is started:
bench runs `python -m benchmarks --help` through the tool, board only prints its command)."""
import os
import shutil
import sys

from conftest import REPO, assert_one_line_error


def test_help_lists_the_commands_and_every_command_has_an_example(cli):
    out = cli("--help")
    assert out.returncode == 0, out
    names = ["summary", "graph", "inspect", "evaluate", "predict", "export", "train", "bench",
             "board"]
    listed = [line.split()[0] for line in out.stdout.split("Commands:")[1].splitlines()
              if line.strip()]
    assert listed == names
    for name in names:
        sub = cli(name, "--help")
        assert sub.returncode == 0, sub
        assert "Example:" in sub.stdout and ("tfgraph %s " % name) in sub.stdout, sub


def test_version(cli):
    from importlib import metadata
    out = cli("--version")
    assert out.returncode == 0 and metadata.version("tfgraph") in out.stdout, out


def test_unknown_command_is_a_usage_error(cli):
    assert_one_line_error(cli("sumary", "x"), "No such command 'sumary'", code=2)


def test_bench_builds_the_benchmarks_command(cli):
    out = cli("bench", "--quick", "--dry-run", "--only", "W1,W5")
    assert out.returncode == 0, out
    assert out.stdout.split() == [sys.executable, "-m", "benchmarks", "--quick", "--only",
                                  "W1,W5"]


def test_bench_passes_its_arguments_to_python_m_benchmarks(cli):
    out = cli("bench", "--", "--help")   # argparse's help of benchmarks/run.py: runs nothing
    assert out.returncode == 0, out
    assert "usage: python -m benchmarks" in out.stdout and "--tf-python" in out.stdout


def test_bench_outside_the_checkout_says_so(cli, tmp_path):
    shutil.copytree(os.path.join(REPO, "tfgraph_cli"), tmp_path / "site" / "tfgraph_cli",
                    ignore=shutil.ignore_patterns("__pycache__"))
    out = cli("bench", "--quick", "--dry-run", env={"PYTHONPATH": str(tmp_path / "site")})
    assert_one_line_error(out, "source checkout")


def test_board_command_and_hints(cli, tmp_path):
    (tmp_path / "logs").mkdir()
    out = cli("board", "logs", "--port", "6007", "--dry-run")
    assert out.returncode == 0, out
    assert out.stdout.split() == [sys.executable, "-m", "tensorboard.main", "--logdir", "logs",
                                  "--port", "6007"]
    assert_one_line_error(cli("board", "nologs"), "log directory not found: nologs")
    shadow = tmp_path / "shadow" / "tensorboard"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('not installed')\n")
    out = cli("board", "logs", env={"PYTHONPATH": str(tmp_path / "shadow")})
    assert_one_line_error(out, "TensorBoard is not installed", 'pip install "tfgraph[viz]"')


def test_board_command_names_a_runnable_tensorboard_module():
    import importlib.util
    sys.path.insert(0, REPO)
    from tfgraph_cli.commands import tensorboard_command
    cmd = tensorboard_command("logs", 6006, "127.0.0.1")
    assert cmd[-2:] == ["--host", "127.0.0.1"]
    assert importlib.util.find_spec(cmd[2]) is not None, cmd[2]
