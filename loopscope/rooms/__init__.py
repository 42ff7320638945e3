"""Workshop rooms: an instructor (the host) paces a room of learners and sees their answers live.

codes      room codes, host tokens, nicknames
items      the lesson's items a host can open
state      the room state and the numbered events that change it (pure)
broadcast  how events reach the other processes: in-process, or Redis pub/sub
hub        one process's live copy of a room, and the SSE streams that follow it
service    what the routes call: create, join, open, answer, reveal, lock, countdown, a
           learner's code result, end, delete
network    the addresses learners on the LAN can use
streams    the caps on live streams, per learner and per room
"""
