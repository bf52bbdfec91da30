"""The progress bar reproduces Keras 3's bytes (../shared/INTEROP.md section 5)."""
import itertools

from tfgraph_keras.callbacks import progbar


def test_frames_match_keras_bytes(monkeypatch, capsys):
    clock = iter([0.0, 0.517, 0.55, 0.799])
    monkeypatch.setattr(progbar.time, "time", lambda: next(clock))
    bar = progbar.Progbar(target=3)
    bar.update(1, [("accuracy", 0.375), ("loss", 0.7652)], finalize=False)
    bar.update(2, [("accuracy", 0.4), ("loss", 0.74)], finalize=False)  # throttled (< 0.05 s)
    bar.update(3, [("accuracy", 0.4625), ("loss", 0.7231), ("val_accuracy", 0.55),
                   ("val_loss", 0.6308)], finalize=True)
    out = capsys.readouterr().out
    first = ("\r\x1b[1m1/3\x1b[0m \x1b[32m" + "\u2501" * 6 + "\x1b[0m\x1b[37m" + "\u2501" * 14 +
             "\x1b[0m \x1b[1m1s\x1b[0m 517ms/step - accuracy: 0.3750 - loss: 0.7652")
    final = ("\b" * 72 + "\r\x1b[1m3/3\x1b[0m \x1b[32m" + "\u2501" * 20 + "\x1b[0m\x1b[37m\x1b[0m "
             "\x1b[1m1s\x1b[0m 141ms/step - accuracy: 0.4625 - loss: 0.7231 - val_accuracy: "
             "0.5500 - val_loss: 0.6308\n")
    assert out == first + final


def test_verbose_2_line_and_small_values(monkeypatch, capsys):
    clock = itertools.count(0.0, 0.25)
    monkeypatch.setattr(progbar.time, "time", lambda: next(clock))
    bar = progbar.Progbar(target=3, verbose=2)
    for step in (1, 2):
        bar.update(step, [("accuracy", 0.5), ("loss", 0.5)], finalize=False)
    assert capsys.readouterr().out == ""  # verbose=2 prints only the epoch's final line
    bar.update(3, [("accuracy", 0.4625), ("loss", 0.0007231)], finalize=True)
    expected = "3/3 - 1s - 250ms/step - accuracy: 0.4625 - loss: 7.2310e-04\n"
    assert capsys.readouterr().out == expected


def test_eta_formats():
    assert progbar._format_time(0.0005, "step") == " 500us/step"
    assert progbar._format_time(2.4, "step") == " 2s/step"
