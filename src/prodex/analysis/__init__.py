"""URL analysis: fetch a product page (and platform data), extract, classify, render when needed."""
