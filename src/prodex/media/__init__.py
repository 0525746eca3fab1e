"""prodex.media: the media a video can be made from, fetched, checked, de-duplicated, stored and
served by prodex.

    sniff.py      the type of a file from its first bytes (never the extension or header alone)
    picture.py    safe decoding (pixel limit, truncated files refused), size, perceptual hash
    staging.py    downloads written to private files, published whole (crash: nothing visible)
    check.py      MediaChecker: one item fetched through prodex's Fetcher and checked -> Checked | Dropped
    select.py     select_media: drop pixels, small pictures, duplicates, smaller copies; keep order
    keys.py       content-addressed keys ``<sha256>.<ext>``; the cache policy of stored files
    stores.py     MediaStore: LocalMediaStore (default, under the data folder); open_media_store
    s3.py         S3MediaStore (PRODEX_MEDIA_STORE=s3://bucket/prefix), through boto3
    library.py    MediaLibrary: links product -> file, publish, release unused files
    service.py    MediaService: the media step of a create or update

Nothing here is imported by ``prodex.media`` itself: import the module you need.
"""
