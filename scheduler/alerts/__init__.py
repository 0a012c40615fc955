"""Alerts to chat channels: which articles match (`rules`), what the message says
(`messages`, in French), and delivering the outbox with retries (`sender`).

A new chat service needs no code: Apprise speaks to it from its URL.
"""
