"""What the server said: the exception behind a failed check's request id, read from its logs.

``logs:`` of a target (smoke/config/logs.py) says where: the wiki's ``exception.log``
(:mod:`.exception_log`), an OpenSearch/Elasticsearch-compatible ``_search`` endpoint
(:mod:`.search`), and/or a link for people (:mod:`.read`). The controller reads them once, at
the end of the run and before root causes are computed (:func:`.read.read_server_errors`);
reading is bounded (a timeout per query, a budget per run) and never changes an outcome.
"""
