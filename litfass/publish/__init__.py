"""`publish`: the built site mirrored to the web space, one transport per module."""
