"""keras.datasets: mnist, fashion_mnist, cifar10 (looked up in $TFGRAPH_DATASETS_DIR first)."""
from tfgraph_keras.datasets import cifar10, fashion_mnist, mnist

__all__ = ["mnist", "fashion_mnist", "cifar10"]
