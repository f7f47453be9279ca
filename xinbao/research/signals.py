"""What research announces to the apps above it, which it knows nothing of.

``answered`` is sent inside ``services.link_answer``'s transaction, once the answer is stored:
``sender`` is ``Assignment``, with ``assignment`` and ``answer`` as keywords. A receiver's
writes (a notification queued, say) commit or roll back with the answer.
"""

from __future__ import annotations

from django.dispatch import Signal

answered = Signal()
