"""Chat handling: parsing commands, routing messages to features, knowing which room is which."""
