"""The Queue tab: the list of jobs and its buttons (queue_panel.py), a job in the window's
words (words.py), and what the window adds for the queue: the Add to queue button, the
folder chooser and the controller that runs the jobs (window_queue.py). The queue's state
is the model's (gui/model/queue.py); its runs are gui/workers/queue_control.py's."""
