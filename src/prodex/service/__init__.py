"""Business rules between the API and the store: accounts and keys, credits, products, slots.

``prodex.service.analysis`` is reserved for URL analysis (creating a product from a URL).
"""
