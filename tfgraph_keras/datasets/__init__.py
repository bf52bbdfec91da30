"""keras.datasets: mnist, fashion_mnist, cifar10, cifar100, imdb, reuters, boston_housing, in Keras's
own file layouts, looked up in $TFGRAPH_DATASETS_DIR, then ~/.keras/datasets, then downloaded."""
from tfgraph_keras.datasets import (
                                    boston_housing,
                                    cifar10,
                                    cifar100,
                                    fashion_mnist,
                                    imdb,
                                    mnist,
                                    reuters,
)

__all__ = ["boston_housing", "cifar10", "cifar100", "fashion_mnist", "imdb", "mnist", "reuters"]
