"""Running a batch's items or a sweep's cells away from the caller, on a Ray cluster.

- item.py: one item from its settings and image arrays, on the one run path (Transfer);
  the in-process batch uses it too;
- files.py: the extra style and mask images an item reads, sent with it;
- errors.py: Ray not installed, a cluster that does not answer;
- connect.py: attaching to a cluster (or starting a local one) without hanging;
- tasks.py: the Ray task of one item, and a pool that yields results as they finish;
- batch.py, sweep.py: the batch and sweep runners whose items are Ray tasks; the driver
  writes every file itself, so the workers need no shared folder.

Ray is an optional extra: only connect.py imports it, when a cluster is asked for.
"""
