"""tf.flags / tf.app.flags: TF1's command-line flags, which are absl flags (no absl needed here).

    flags = tf.app.flags
    flags.DEFINE_integer('batch_size', 100, 'Batch size.')
    FLAGS = flags.FLAGS
    ...
    tf.app.run()            # parses sys.argv; unknown flags reach main(argv)

Reading `FLAGS.x` before anything parsed parses sys.argv then, as TF1's wrapper did (there unknown
flags are an error). Syntax as absl: `--name=value`, `--name value`, `-name`, `--flag`/`--noflag`
for booleans, `--` ends the flags, positional arguments may come between flags.
"""
import difflib
import logging as _logging
import sys
import textwrap


class Error(Exception):
    """The base of every flags error (absl.flags.Error)."""


class IllegalFlagValueError(Error):
    """A flag's value cannot be parsed or fails its validator."""


class UnrecognizedFlagError(Error):
    """A command-line flag that no DEFINE_* declared."""

    def __init__(self, flagname, flagvalue="", suggestions=None):
        self.flagname = flagname
        self.flagvalue = flagvalue
        tip = ". Did you mean: %s ?" % ", ".join(suggestions) if suggestions else ""
        super().__init__("Unknown command line flag '%s'%s" % (flagname, tip))


class DuplicateFlagError(Error):
    """The same flag name defined twice."""


class UnparsedFlagAccessError(Error):
    """Kept for absl compatibility; tf's FLAGS parse sys.argv instead of raising it."""


class ValidationError(Error):
    """Raised by a validator to reject a flag value."""


# ---- parsers: str -> value, plus the text absl prints in --help ----

class _Parser:
    syntactic_help = ""

    def parse(self, text):
        return text

    def serialize(self, value):
        return str(value)


class _NumericParser(_Parser):
    """A number with optional bounds; out-of-bounds values fail as absl's ('0 is not ...')."""
    article, number_name = "a", "number"

    def __init__(self, lower_bound=None, upper_bound=None):
        self.lower_bound, self.upper_bound = lower_bound, upper_bound
        sh = "%s %s" % (self.article, self.number_name)
        if lower_bound is not None and upper_bound is not None:
            sh = "%s in the range [%s, %s]" % (sh, lower_bound, upper_bound)
        elif lower_bound == 1:
            sh = "a positive " + self.number_name
        elif upper_bound == -1:
            sh = "a negative " + self.number_name
        elif lower_bound == 0:
            sh = "a non-negative " + self.number_name
        elif upper_bound == 0:
            sh = "a non-positive " + self.number_name
        elif upper_bound is not None:
            sh = "%s <= %s" % (self.number_name, upper_bound)
        elif lower_bound is not None:
            sh = "%s >= %s" % (self.number_name, lower_bound)
        self.syntactic_help = sh

    def parse(self, text):
        value = self.convert(text)
        if ((self.lower_bound is not None and value < self.lower_bound)
                or (self.upper_bound is not None and value > self.upper_bound)):
            raise ValueError("%s is not %s" % (value, self.syntactic_help))
        return value


class _IntegerParser(_NumericParser):
    article, number_name = "an", "integer"

    def convert(self, text):
        if isinstance(text, int) and not isinstance(text, bool):
            return text
        base = 10
        if len(text) > 2 and text[0] == "0":  # absl accepts 0x.. and 0o.. spellings
            base = {"x": 16, "X": 16, "o": 8, "O": 8}.get(text[1], 10)
        return int(text, base)


class _FloatParser(_NumericParser):
    def convert(self, text):
        return float(text)


class _BooleanParser(_Parser):
    def parse(self, text):
        if isinstance(text, bool):
            return text
        if isinstance(text, int) and text in (0, 1):
            return bool(text)
        low = str(text).lower()
        if low in ("true", "t", "1"):
            return True
        if low in ("false", "f", "0"):
            return False
        raise ValueError("Non-boolean argument to boolean flag", text)

    def serialize(self, value):
        return "true" if value else "false"


class _ListParser(_Parser):
    syntactic_help = "a comma separated list"

    def parse(self, text):
        if isinstance(text, (list, tuple)):
            return list(text)
        return [s.strip() for s in text.split(",")] if text else []

    def serialize(self, value):
        return ",".join(str(v) for v in value)


class _EnumParser(_Parser):
    def __init__(self, values):
        if not values:
            raise ValueError("enum_values cannot be empty, found '%s'" % (values,))
        self.values = list(values)

    def parse(self, text):
        if text not in self.values:
            raise ValueError("value should be one of <%s>" % "|".join(self.values))
        return text


class Flag:
    """One flag: name, value, default, help (absl.flags.Flag's public fields)."""

    def __init__(self, parser, name, default, help_string, short_name=None, boolean=False,
                 multi=False):
        self.parser = parser
        self.name = name
        self.help = help_string
        self.short_name = short_name
        self.boolean = boolean
        self.multi = multi
        self.using_default_value = True
        self.present = 0
        self.validators = []
        self.default = self._convert(default, default)
        self.value = self.default

    def _convert(self, text, shown):
        if text is None:
            return None
        try:
            if self.multi:
                items = text if isinstance(text, (list, tuple)) else [text]
                return [self.parser.parse(t) for t in items]
            return self.parser.parse(text)
        except (TypeError, ValueError) as e:
            raise IllegalFlagValueError("flag --%s=%s: %s" % (self.name, shown, e)) from None

    def parse(self, text):
        """Parses one command-line occurrence (a multi flag accumulates)."""
        value = self._convert(text, text)
        if self.multi:
            self.value = (self.value if self.present else []) + value
        else:
            self.value = value
        self.present += 1
        self.using_default_value = False

    def default_as_str(self):
        if self.default is None:
            return None
        if self.multi:
            return repr(str(self.default))
        return repr(self.parser.serialize(self.default))

    def help_text(self):
        """The flag's lines in --help, as absl lays them out."""
        head = ("-%s," % self.short_name) if self.short_name else ""
        head += ("--[no]%s:" if self.boolean else "--%s:") % self.name
        if self.help:
            head += " " + self.help
        lines = _wrap(head, "    ", "  ")
        if self.default_as_str() is not None:
            lines += "\n" + _wrap("(default: %s)" % self.default_as_str(), "    ")
        if self.parser.syntactic_help:
            lines += "\n" + _wrap("(%s)" % self.parser.syntactic_help, "    ")
        return lines


def _wrap(text, indent, firstline_indent=None, width=80):
    """absl's text_wrap: keeps explicit newlines, wraps each line to `width` columns."""
    first = indent if firstline_indent is None else firstline_indent
    out = []
    for i, line in enumerate(text.expandtabs(4).split("\n")):
        lead = first if i == 0 else indent
        line = line.strip()
        if not line:
            out.append("")
            continue
        out.extend(textwrap.wrap(line, width=width, initial_indent=lead, subsequent_indent=indent,
                                 break_on_hyphens=False))
    return "\n".join(out)


def _caller_module():
    """(module name, module globals id) of the code calling DEFINE_*; __main__ is named by argv[0]."""
    frame = sys._getframe(1)
    here = frame.f_globals.get("__name__")
    while frame is not None and frame.f_globals.get("__name__") == here:
        frame = frame.f_back
    if frame is None:
        return "<unknown>", 0
    name = frame.f_globals.get("__name__", "<unknown>")
    if name == "__main__":
        name = sys.argv[0] if sys.argv and sys.argv[0] else name
    return name, id(frame.f_globals)


class FlagValues:
    """The registry of flags and their values (tf.flags.FLAGS is the one process-wide instance)."""

    def __init__(self):
        d = self.__dict__
        d["_flags"] = {}          # name -> Flag
        d["_modules"] = {}        # name -> (module name, module globals id)
        d["_required"] = []
        d["_parsed"] = False

    # ---- definition ----

    def _define(self, flag, module=None):
        module = module or _caller_module()
        old = self._flags.get(flag.name)
        if old is not None:
            mod_name, mod_id = self._modules[flag.name]
            if mod_name == module[0] and mod_id != module[1]:
                return old  # the same module imported a second time (absl keeps the first)
            raise DuplicateFlagError(
                "The flag '%s' is defined twice. First from %s, Second from %s.  Description from "
                "first occurrence: %s" % (flag.name, mod_name, module[0], old.help))
        self._flags[flag.name] = flag
        self._modules[flag.name] = module
        return flag

    # ---- parsing ----

    def __call__(self, argv, known_only=False):
        """Parses argv (argv[0] is the program); returns [argv[0]] + the arguments not parsed."""
        if isinstance(argv, (str, bytes)):
            raise TypeError("argv should be a tuple/list of strings, not bytes or string.")
        if not argv:
            raise ValueError("argv cannot be an empty list, and must contain the program name as "
                             "the first element.")
        rest, unknown = self._parse_args(list(argv[1:]), known_only)
        if unknown:
            name = unknown[0]
            raise UnrecognizedFlagError(name, "", difflib.get_close_matches(
                name, list(self._flags), n=3, cutoff=0.75))
        self.__dict__["_parsed"] = True
        self.validate_all_flags()
        return [argv[0]] + rest

    def _parse_args(self, args, known_only):
        """(arguments left for the program, unknown flag names), absl's rules."""
        pending = []  # (flag name or None for a positional, the argument), in order
        undefok = set()
        shorts = {f.short_name: f for f in self._flags.values() if f.short_name}
        it = iter(args)
        for arg in it:
            if not arg.startswith("-"):
                pending.append((None, arg))  # GNU style: positionals do not end the flags
                continue
            if arg == "--":
                if known_only:
                    pending.append((None, arg))
                break
            body = arg[2:] if arg.startswith("--") else arg[1:]
            name, sep, value = body.partition("=")
            value = value if sep else None
            if not name:
                pending.append((None, arg))
                continue
            if name == "undefok":  # --undefok=a,b: flags a, b may be given though undefined
                value = value if value is not None else next(it, None)
                if value is None:
                    raise Error("Missing value for flag " + arg)
                names = [v.strip() for v in value.split(",")]
                undefok.update(names + ["no" + v for v in names])
                continue
            flag = self._flags.get(name) or shorts.get(name)
            if flag is not None:
                if flag.boolean and value is None:
                    value = "true"
                elif value is None:
                    value = next(it, None)
                    if value is None:
                        raise Error("Missing value for flag " + arg)
            elif name.startswith("no") and len(name) > 2 and getattr(
                    self._flags.get(name[2:]), "boolean", False):
                if value is not None:
                    raise ValueError(arg + " does not take an argument")
                flag, value = self._flags[name[2:]], "false"
            if flag is None:
                pending.append((name, arg))
                continue
            flag.parse(value)
        rest, unknown = [], []
        for name, arg in pending:
            if name is None:
                rest.append(arg)
            elif name in undefok:
                continue
            elif known_only:
                rest.append(arg)
            else:
                unknown.append(name)
        rest.extend(it)
        return rest, unknown

    def validate_all_flags(self):
        for name in self._required:
            if self._flags[name].value is None:
                raise IllegalFlagValueError("flag --%s=None: Flag --%s must have a value other "
                                            "than None." % (name, name))
        for flag in self._flags.values():
            for check, message in flag.validators:
                if not check(flag.value):
                    raise IllegalFlagValueError("flag --%s=%s: %s" % (flag.name, flag.value,
                                                                      message))

    def is_parsed(self):
        return self.__dict__["_parsed"]

    def mark_as_parsed(self):
        self.__dict__["_parsed"] = True

    def unparse_flags(self):
        """Back to defaults and 'not parsed' (absl's FLAGS.unparse_flags)."""
        for f in self._flags.values():
            f.value, f.present, f.using_default_value = f.default, 0, True
        self.__dict__["_parsed"] = False

    # ---- access ----

    def __getattr__(self, name):
        flags = self.__dict__["_flags"]
        if name not in flags:
            raise AttributeError(name)
        if not self.__dict__["_parsed"]:
            self(sys.argv)  # TF1's FLAGS wrapper: the first read parses the command line
        return flags[name].value

    def __setattr__(self, name, value):
        flag = self._flags.get(name)
        if flag is None:
            raise AttributeError(name)
        flag.value = value
        flag.using_default_value = False

    def __getitem__(self, name):
        return self._flags[name]

    def __contains__(self, name):
        return name in self._flags

    def __iter__(self):
        return iter(list(self._flags))

    def __len__(self):
        return len(self._flags)

    def __dir__(self):
        return sorted(self._flags)

    def get_flag_value(self, name, default):
        flag = self._flags.get(name)
        return default if flag is None else flag.value

    def set_default(self, name, value):
        flag = self._flags[name]
        flag.default = flag._convert(value, value)
        if flag.using_default_value:
            flag.value = flag.default

    def flag_values_dict(self):
        """{name: value} of every flag."""
        return {name: f.value for name, f in self._flags.items()}

    # ---- help ----

    def _module_help(self, module):
        names = sorted(n for n, (m, _) in self._modules.items() if m == module)
        if not names:
            return ""
        return "\n%s:\n%s" % (module, "\n".join(self._flags[n].help_text() for n in names))

    def main_module_help(self):
        return self._module_help(_main_module_name())

    def get_help(self):
        main = _main_module_name()
        others = sorted({m for m, _ in self._modules.values()} - {main})
        parts = [self._module_help(m) for m in [main] + others]
        return "\n".join(p for p in parts if p)

    def __str__(self):
        return self.get_help()


def _main_module_name():
    return sys.argv[0] if sys.argv and sys.argv[0] else "__main__"


FLAGS = FlagValues()

_RENAMED = {"flag_name": "name", "default_value": "default", "docstring": "help"}


def _renamed(kwargs):
    if any(k in kwargs for k in _RENAMED):
        _logging.warning("Use of the keyword argument names (flag_name, default_value, docstring) "
                         "is deprecated, please use (name, default, help) instead.")
        for old, new in _RENAMED.items():
            if old in kwargs:
                kwargs[new] = kwargs.pop(old)
    return kwargs


def _define(parser, name=None, default=None, help=None, flag_values=None, short_name=None,
            boolean=False, multi=False, **kwargs):
    if kwargs:
        raise TypeError("unexpected keyword arguments for flag %r: %s" % (name, sorted(kwargs)))
    flag = Flag(parser, name, default, help, short_name=short_name, boolean=boolean, multi=multi)
    return (FLAGS if flag_values is None else flag_values)._define(flag, _caller_module())


def DEFINE_string(name=None, default=None, help=None, flag_values=None, **kwargs):
    """--name=value: a string flag."""
    kw = _renamed(dict(kwargs, name=name, default=default, help=help))
    return _define(_Parser(), flag_values=flag_values, **kw)


def DEFINE_integer(name=None, default=None, help=None, flag_values=None, lower_bound=None,  # noqa: A002,N802
                   upper_bound=None, **kwargs):
    """--name=N: an integer flag (0x.. accepted), optionally bounded."""
    kw = _renamed(dict(kwargs, name=name, default=default, help=help))
    return _define(_IntegerParser(lower_bound, upper_bound), flag_values=flag_values, **kw)


def DEFINE_float(name=None, default=None, help=None, flag_values=None, lower_bound=None,  # noqa: A002,N802
                 upper_bound=None, **kwargs):
    """--name=x: a float flag, optionally bounded."""
    kw = _renamed(dict(kwargs, name=name, default=default, help=help))
    return _define(_FloatParser(lower_bound, upper_bound), flag_values=flag_values, **kw)


def DEFINE_boolean(name=None, default=None, help=None, flag_values=None, **kwargs):
    """--name / --noname / --name=true|false: a boolean flag."""
    kw = _renamed(dict(kwargs, name=name, default=default, help=help))
    return _define(_BooleanParser(), flag_values=flag_values, boolean=True, **kw)


DEFINE_bool = DEFINE_boolean


def DEFINE_list(name=None, default=None, help=None, flag_values=None, **kwargs):
    """--name=a,b,c: a flag holding a list of strings."""
    kw = _renamed(dict(kwargs, name=name, default=default, help=help))
    return _define(_ListParser(), flag_values=flag_values, **kw)


def DEFINE_enum(name=None, default=None, enum_values=None, help=None, flag_values=None,
                **kwargs):
    """--name=v where v is one of enum_values."""
    kw = _renamed(dict(kwargs, name=name, default=default, help=help))
    kw["help"] = "<%s>: %s" % ("|".join(enum_values or ()), kw["help"])
    return _define(_EnumParser(enum_values), flag_values=flag_values, **kw)


def _define_multi(parser, name, default, help, flag_values, kwargs):
    kw = _renamed(dict(kwargs, name=name, default=default, help=help))
    kw["help"] = "%s;\n    repeat this option to specify a list of values" % kw["help"]
    return _define(parser, flag_values=flag_values, multi=True, **kw)


def DEFINE_multi_string(name=None, default=None, help=None, flag_values=None, **kwargs):
    """--name=a --name=b: a repeatable flag whose value is the list of occurrences."""
    return _define_multi(_Parser(), name, default, help, flag_values, kwargs)


def DEFINE_multi_integer(name=None, default=None, help=None, flag_values=None, **kwargs):
    return _define_multi(_IntegerParser(), name, default, help, flag_values, kwargs)


def DEFINE_multi_float(name=None, default=None, help=None, flag_values=None, **kwargs):
    return _define_multi(_FloatParser(), name, default, help, flag_values, kwargs)


def mark_flag_as_required(flag_name, flag_values=None):
    """Parsing fails unless the flag ends up with a value other than None."""
    fv = FLAGS if flag_values is None else flag_values
    if flag_name not in fv:
        raise KeyError("Flag --%s is not defined." % flag_name)
    if flag_name not in fv._required:
        fv._required.append(flag_name)


def mark_flags_as_required(flag_names, flag_values=None):
    for name in flag_names:
        mark_flag_as_required(name, flag_values)


def register_validator(flag_name, checker, message="Flag validation failed", flag_values=None):
    """checker(value) -> bool, run after each parse."""
    (FLAGS if flag_values is None else flag_values)[flag_name].validators.append((checker, message))


def _define_help_flags():
    """--help/-?, --helpshort, --helpfull, --helpxml, as absl's app.run defines them."""
    if "help" in FLAGS:
        return
    module = ("tfgraph.platform.app", 0)
    for name, text, short in (("help", "show this help", "?"), ("helpshort", "show this help", None),
                              ("helpfull", "show full help", None),
                              ("helpxml", "like --helpfull, but generates XML output", None)):
        FLAGS._define(_HelpFlag(name, text, short, full=name in ("helpfull", "helpxml")), module)


class _HelpFlag(Flag):
    def __init__(self, name, text, short, full):
        super().__init__(_BooleanParser(), name, False, text, short_name=short, boolean=True)
        self.full = full

    def parse(self, text):
        if not self.parser.parse(text):
            return
        usage(shorthelp=not self.full)
        if not self.full:
            print()
            print("Try --helpfull to get a list of all flags.")
        sys.exit(1)


def usage(shorthelp=False):
    """Prints the main module's docstring (or a USAGE line) and the flags, as absl's usage()."""
    doc = getattr(sys.modules.get("__main__"), "__doc__", None)
    prog = sys.argv[0] if sys.argv else "prog"
    if not doc:
        doc = _wrap("\nUSAGE: %s [flags]" % prog, "       ", "")
    else:
        n = doc.count("%") - 2 * doc.count("%%")  # absl fills each %s with the program name
        try:
            doc %= (prog,) * n
        except (OverflowError, TypeError, ValueError):
            pass
    text = FLAGS.main_module_help() if shorthelp else FLAGS.get_help()
    sys.stdout.write(doc)
    if text:
        sys.stdout.write("\nflags:\n" + text)
    sys.stdout.write("\n")
    sys.stdout.flush()
