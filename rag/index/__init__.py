"""What is stored: embeddings, the Chroma chunk store, the SQLite manifest, the BM25 index."""
