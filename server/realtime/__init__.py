"""Live updates for agents over Socket.IO: an authenticated namespace, rooms per agent and per
routing queue, and a relay of read-model changes with sequence numbers for resync. The SocketIO
object is made per app by `server.create_app`; other processes share events through REDIS_URL."""
