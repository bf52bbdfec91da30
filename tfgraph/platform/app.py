"""tf.app: `tf.app.run(main=None, argv=None)` and `tf.app.flags`."""
import sys

from tfgraph.platform import flags


def run(main=None, argv=None):
    """Parses the flags in argv (default sys.argv), then exits with main(remaining argv).

    As TF1 (absl's app.run with a tolerant parser): flags nobody defined are not an error, they
    stay in the argv handed to main; --help / --helpfull print the flags and exit.
    """
    main = main or sys.modules["__main__"].main
    flags._define_help_flags()
    args = flags.FLAGS(sys.argv if argv is None else argv, known_only=True)
    sys.exit(main(args))


__all__ = ["run", "flags"]
