"""Models of the callbacks app."""
