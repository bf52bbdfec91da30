"""Scripts and command lines shared by make_flags_reference.py (TensorFlow) and the tfgraph test.

Each script is a template with {IMPORT}: 'import tensorflow.compat.v1 as tf' when recording,
'import tfgraph as tf' when testing. It prints one JSON line on success.
"""

HEADER = '''import json, sys
{IMPORT}
flags = tf.app.flags
FLAGS = flags.FLAGS
flags.DEFINE_string('name', 'world', 'who to greet')
flags.DEFINE_integer('n', 3, 'how many times')
flags.DEFINE_float('lr', 0.01, 'learning rate')
flags.DEFINE_boolean('fast', False, 'go fast')
flags.DEFINE_bool('verbose', True, 'talk a lot')
flags.DEFINE_list('layers', ['64', '32'], 'layer sizes')
flags.DEFINE_enum('mode', 'train', ['train', 'eval'], 'what to do')
flags.DEFINE_multi_string('tag', [], 'tags')
tf.flags.DEFINE_string('data_dir', None, 'where the data is')
KEYS = ['name', 'n', 'lr', 'fast', 'verbose', 'layers', 'mode', 'tag', 'data_dir']


def dump(argv):
    values = FLAGS.flag_values_dict()
    print(json.dumps({{'argv': argv[1:], 'flags': {{k: values[k] for k in KEYS}}}}))
'''

SCRIPTS = {
    # tf.app.run(): known flags parsed, unknown ones passed to main's argv.
    "run": HEADER + '''

def main(argv):
    dump(argv)


if __name__ == '__main__':
    tf.app.run()
''',
    # tf.app.run(main=..., argv=[...]) with an explicit argv list.
    "run_argv": HEADER + '''

def other(argv):
    dump(argv)


if __name__ == '__main__':
    tf.app.run(main=other, argv=['prog', '--n=7', '--zzz=1', 'pos'])
''',
    # FLAGS read before any parse: TF1 parses sys.argv then (unknown flags are errors here).
    "access": HEADER + '''
try:
    n = FLAGS.n
except Exception as e:
    print(json.dumps({{'error': type(e).__name__, 'message': str(e)}}))
else:
    dump(sys.argv)
''',
    # mark_flag_as_required on a flag whose default is None.
    "required": HEADER + '''
flags.mark_flag_as_required('data_dir')


def main(argv):
    dump(argv)


if __name__ == '__main__':
    tf.app.run()
''',
    # Old keyword names (flag_name, default_value, docstring) still accepted by tf.flags.
    "oldnames": '''import json, sys
{IMPORT}
tf.flags.DEFINE_string(flag_name='who', default_value='me', docstring='old names')
print(json.dumps({{'who': tf.flags.FLAGS.who}}))
''',
    # Defining the same flag twice.
    "duplicate": '''import json, sys
{IMPORT}
tf.flags.DEFINE_integer('k', 1, 'once')
try:
    tf.flags.DEFINE_integer('k', 2, 'twice')
except Exception as e:
    print(json.dumps({{'error': type(e).__name__}}))
''',
    # Bad defaults are checked when the flag is defined.
    "bad_default": '''import json, sys
{IMPORT}
try:
    tf.flags.DEFINE_enum('e', 'c', ['a', 'b'], 'enum')
except Exception as e:
    print(json.dumps({{'error': type(e).__name__, 'message': str(e)}}))
''',
    # Bounded numbers, repeated integers.
    "bounds": '''import json, sys
{IMPORT}
flags = tf.app.flags
FLAGS = flags.FLAGS
flags.DEFINE_integer('steps', 10, 'training steps', lower_bound=1)
flags.DEFINE_float('frac', 0.5, 'a fraction', lower_bound=0.0, upper_bound=1.0)
flags.DEFINE_integer('neg', -3, 'below zero', upper_bound=-1)
flags.DEFINE_integer('big', 200, 'at least 100', lower_bound=100)
flags.DEFINE_multi_integer('ids', [1, 2], 'ids')


def main(argv):
    v = FLAGS.flag_values_dict()
    print(json.dumps({{'argv': argv[1:], 'flags': {{k: v[k] for k in
                                                  ['steps', 'frac', 'neg', 'big', 'ids']}}}}))


if __name__ == '__main__':
    tf.app.run()
''',
}

# (script, command-line arguments after the program name)
CASES = [
    ("run", []),
    ("run", ["--name=bob", "--n", "5", "--lr=0.5", "--fast", "--noverbose"]),
    ("run", ["--layers=1,2,3", "--mode", "eval", "--tag=a", "--tag", "b"]),
    ("run", ["-n=4", "-name", "x", "--fast=false", "--verbose=true"]),
    ("run", ["pos1", "--n=2", "pos2", "--unknown=3", "--also_unknown", "v"]),
    ("run", ["--n=1", "--", "--n=9", "rest"]),
    ("run", ["--fast=0", "--verbose=1", "--layers="]),
    ("run", ["--n=abc"]),
    ("run", ["--lr=x"]),
    ("run", ["--mode=test"]),
    ("run", ["--fast=maybe"]),
    ("run", ["--n"]),
    ("run", ["--nofast=1"]),
    ("run", ["--n=0x10", "--name="]),
    ("run", ["--help"]),
    ("run", ["--helpfull"]),
    ("run_argv", ["--n=1"]),
    ("access", []),
    ("access", ["--n=8", "--fast", "positional"]),
    ("access", ["--bogus=1"]),
    ("required", []),
    ("required", ["--data_dir=/tmp/d", "--n=2"]),
    ("oldnames", []),
    ("duplicate", []),
    ("bad_default", []),
    ("bounds", ["--ids=3", "--ids", "0x4", "--frac=1", "--neg=-7"]),
    ("bounds", ["--steps=0"]),
    ("bounds", ["--frac=1.5"]),
    ("bounds", ["--big=99"]),
    ("bounds", ["--help"]),
    ("bounds", ["--undefok=foo,bar", "--foo=1", "--nobar", "--baz", "pos"]),
    ("access", ["--zz=3", "--undefok", "zz", "--n=2"]),
]
