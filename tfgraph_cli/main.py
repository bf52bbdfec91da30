"""The `tfgraph` command group and its error handling.

Bad input (a missing file, a corrupt model, a spec naming an unknown layer) ends the command with
one line on stderr and exit status 1 (2 for a usage error, as click does); `tfgraph --debug CMD`
shows the full traceback instead.
"""
import sys

import click

from tfgraph_cli import commands, train_spec

_STATE = {"debug": False}


class _Group(click.Group):
    def list_commands(self, ctx):
        return list(self.commands)   # in the order added: the order of a newcomer's work


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--debug", is_flag=True, help="Show the full traceback when a command fails.")
@click.version_option(package_name="tfgraph", prog_name="tfgraph")
def cli(debug):
    """tfgraph: look at, train and export TF1-style graphs and Keras models.

    \b
    Example:
      tfgraph summary model.keras
      tfgraph COMMAND --help
    """
    _STATE["debug"] = debug


for _command in (commands.summary, commands.graph, commands.inspect, commands.evaluate,
                 commands.predict, commands.export, train_spec.train, commands.bench,
                 commands.board):
    cli.add_command(_command)


def _one_line(text):
    return " ".join(str(text).split())


def main(argv=None):
    """Runs the tool; returns the exit status (what `sys.exit` gets)."""
    args = sys.argv[1:] if argv is None else list(argv)
    _STATE["debug"] = False
    words = [a for a in args if not a.startswith("-")]
    where = "tfgraph " + words[0] if words and words[0] in cli.commands else "tfgraph"
    try:
        result = cli.main(args=args, prog_name="tfgraph", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("tfgraph: aborted", err=True)
        return 1
    except click.ClickException as e:
        if _STATE["debug"]:
            raise
        hint = " (see %s --help)" % where if isinstance(e, click.UsageError) else ""
        click.echo("%s: error: %s%s" % (where, _one_line(e.format_message()), hint), err=True)
        return e.exit_code
    except KeyboardInterrupt:
        click.echo("tfgraph: interrupted", err=True)
        return 130
    except Exception as e:  # the tool's contract: one line per failure
        if _STATE["debug"]:
            raise
        click.echo("%s: error: %s: %s (tfgraph --debug shows the traceback)"
                   % (where, type(e).__name__, _one_line(e)), err=True)
        return 1
    return result if isinstance(result, int) else 0
