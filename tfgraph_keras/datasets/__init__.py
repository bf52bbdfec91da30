"""keras.datasets: mnist, fashion_mnist, cifar10 (TFGRAPH_DATASETS_DIR first)."""
