"""The Keras training engine: compile/fit/evaluate/predict (training.py) and data handling (data.py)."""
