"""File-system operations shared by make_gfile_reference.py (TensorFlow) and the tfgraph test.

run_cases(tf, root) drives tf.gfile / tf.io.gfile in an empty directory `root` and returns a JSON
record: values, and for each failing call the error class and message (root shown as <root>).
"""
import os


def run_cases(tf, root):
    gfile, io_gfile, errors = tf.gfile, tf.io.gfile, tf.errors
    out = {}

    def rel(x):
        if isinstance(x, (list, tuple)):
            return [rel(v) for v in x]
        if isinstance(x, bytes):
            return x.decode()
        return x.replace(root, "<root>") if isinstance(x, str) else x

    def attempt(key, fn):
        try:
            out[key] = {"value": rel(fn())}
        except errors.OpError as e:
            out[key] = {"error": type(e).__name__, "message": rel(e.message)}
        except Exception as e:
            out[key] = {"error": type(e).__name__}

    p = lambda *a: os.path.join(root, *a)
    attempt("exists_missing", lambda: gfile.Exists(p("nope")))
    attempt("makedirs", lambda: gfile.MakeDirs(p("a", "b", "c")))
    attempt("makedirs_again", lambda: gfile.MakeDirs(p("a", "b", "c")))
    attempt("mkdir_exists", lambda: gfile.MkDir(p("a")))
    attempt("mkdir_no_parent", lambda: gfile.MkDir(p("x", "y")))
    attempt("isdir", lambda: [gfile.IsDirectory(p("a")), io_gfile.isdir(p("nope"))])

    def write_text():
        with gfile.GFile(p("a", "t.txt"), "w") as f:
            f.write("line one\nline two\n")
            f.write("three")
        return gfile.Exists(p("a", "t.txt"))
    attempt("write_text", write_text)

    def read_text():
        with gfile.GFile(p("a", "t.txt"), "r") as f:
            first = f.readline()
            rest = f.read()
        with gfile.Open(p("a", "t.txt")) as f:
            lines = list(f)
        with gfile.GFile(p("a", "t.txt")) as f:
            part = f.read(4)
            pos = f.tell()
            f.seek(0)
            again = f.read(4)
            size = f.size()
        with gfile.GFile(p("a", "t.txt")) as f:
            allines = f.readlines()
        return [first, rest, lines, part, pos, again, size, allines]
    attempt("read_text", read_text)

    def binary():
        with gfile.GFile(p("a", "b.bin"), "wb") as f:
            f.write(b"\x00\x01\xff")
        with gfile.GFile(p("a", "b.bin"), "ab") as f:
            f.write(b"\x02")
        with gfile.FastGFile(p("a", "b.bin"), "rb") as f:
            data = f.read()
        return [list(data), type(data).__name__]
    attempt("binary", binary)
    attempt("read_missing", lambda: gfile.GFile(p("missing.txt")).read())
    attempt("open_bad_mode", lambda: gfile.GFile(p("a", "t.txt"), "z").read())
    attempt("listdir", lambda: sorted(gfile.ListDirectory(p("a"))))
    attempt("listdir_missing", lambda: gfile.ListDirectory(p("nope")))
    attempt("glob", lambda: sorted(gfile.Glob(p("a", "*.txt")) + io_gfile.glob(p("a", "*.bin"))))
    attempt("glob_none", lambda: gfile.Glob(p("zzz", "*")))
    attempt("copy", lambda: [gfile.Copy(p("a", "t.txt"), p("a", "u.txt")),
                             gfile.Exists(p("a", "u.txt"))])
    attempt("copy_exists", lambda: gfile.Copy(p("a", "t.txt"), p("a", "u.txt")))
    attempt("copy_overwrite", lambda: gfile.Copy(p("a", "b.bin"), p("a", "u.txt"), overwrite=True))
    attempt("copy_missing", lambda: gfile.Copy(p("nope"), p("a", "v.txt")))
    attempt("rename", lambda: [gfile.Rename(p("a", "u.txt"), p("a", "w.txt")),
                               sorted(io_gfile.listdir(p("a")))])
    attempt("rename_exists", lambda: gfile.Rename(p("a", "w.txt"), p("a", "t.txt")))
    attempt("rename_overwrite", lambda: [gfile.Rename(p("a", "w.txt"), p("a", "t.txt"), True),
                                         sorted(gfile.ListDirectory(p("a")))])
    attempt("rename_missing", lambda: gfile.Rename(p("nope"), p("a", "q")))

    def stat():
        s = gfile.Stat(p("a", "t.txt"))
        d = io_gfile.stat(p("a"))
        return [s.length, s.is_directory, d.is_directory, s.mtime_nsec > 0]
    attempt("stat", stat)
    attempt("stat_missing", lambda: gfile.Stat(p("nope")))
    attempt("walk", lambda: [[rel(top), sorted(dirs), sorted(files)]
                             for top, dirs, files in gfile.Walk(p("a"))])
    attempt("walk_bottom_up", lambda: [rel(top) for top, _, _ in
                                       io_gfile.walk(p("a"), topdown=False)])
    attempt("walk_missing", lambda: list(gfile.Walk(p("nope"))))
    attempt("remove", lambda: [gfile.Remove(p("a", "b.bin")), gfile.Exists(p("a", "b.bin"))])
    attempt("remove_missing", lambda: gfile.Remove(p("a", "b.bin")))
    attempt("remove_dir", lambda: gfile.Remove(p("a", "b")))
    attempt("rmtree", lambda: [gfile.DeleteRecursively(p("a")), gfile.Exists(p("a"))])
    attempt("rmtree_missing", lambda: io_gfile.rmtree(p("a")))
    attempt("makedirs_over_file", lambda: [open(p("f"), "w").close(), io_gfile.makedirs(p("f"))])
    attempt("join", lambda: io_gfile.join("a", "b", "c.txt"))
    return out
