"""Reading article files into Articles, cutting them into Chunks, and the crash-safe writer."""
