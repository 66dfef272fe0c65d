"""The Digital tab's workflow and its read model of CXone interactions (talks to server.cxone)."""
