"""Getting messages out: the outbox, pacing, senders per account, the WeCom webhook."""
