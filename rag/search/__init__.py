"""From a question to ranked Hits: question dates, fusion of dense and keyword search, reranking."""
