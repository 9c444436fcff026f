"""Review of a game after (or during) play: log, replay, charts, debrief, exports, what-if."""
