"""Trains the MNIST convnet on several processes at once with MPI (synchronous data parallelism).

    pip install -e '.[distributed]'
    mpirun -np 2 python tutorials/mnist_distributed.py            # 2 epochs, 60,000 images
    mpirun -np 2 python tutorials/mnist_distributed.py --quick    # 1 epoch on 4,000 images

Every process runs this same script. `fit` gives each its share of the training set; in every
step the processes average their gradients, so they all apply the same update and keep the same
weights. The global batch is 128 images whatever the number of processes (128 / N per
process), so the learning rate of the one-process tutorial (mnist_cnn.py) stays right. Only rank
0 prints the progress bar and the results. It also runs as one process (`python
tutorials/mnist_distributed.py --quick`), which is then the ordinary one-process training.

Full run, 2 processes on one 2-core machine: test accuracy 0.9812, 56-64 ms a step of 2 x 64
images, about 1 minute (measured 2026-12-07 on a busy machine). Quick run: about 0.85.
On several machines, list them in a hostfile (`node1:2` per line: 2 processes on node1) and
start the same command there with `mpirun -f hosts -np 4 ...` (MPICH) or `--hostfile hosts`
(Open MPI); the script and the data must be at the same path on every machine.

Quick run: test accuracy >= 0.70
"""
import argparse

import numpy as np

import tfgraph_keras as keras
import tfgraph_keras.distribute as dist
from tfgraph_keras import layers


def main(quick=False):
    dist.init()
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    if quick:
        x_train, y_train, x_test, y_test = x_train[:4000], y_train[:4000], x_test[:1000], \
            y_test[:1000]
    x_train = np.expand_dims(x_train.astype("float32") / 255, -1)
    x_test = np.expand_dims(x_test.astype("float32") / 255, -1)
    if dist.rank() == 0:
        print("%d processes, %d training images each" % (dist.size(),
                                                         len(x_train) // dist.size()))

    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    # the one change to a one-process script: the optimizer averages gradients over processes
    model.compile(loss="sparse_categorical_crossentropy",
                  optimizer=dist.DistributedOptimizer(keras.optimizers.Adam(1e-3)),
                  metrics=["accuracy"])
    # rank 0's initial weights go to every process when training starts
    model.fit(x_train, y_train, batch_size=128 // dist.size(), epochs=1 if quick else 2,
              verbose=2, callbacks=[dist.BroadcastGlobalVariablesCallback(0)])

    # every process holds the same weights, so evaluate gives the same numbers everywhere
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    if dist.rank() == 0:
        print("Test loss:", loss)
        print("Test accuracy:", accuracy)
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 epoch on 4,000 images")
    main(parser.parse_args().quick)
