#!/bin/sh
# `make run`'s stand-in for cron (docs/operations.md has the cron lines): the outbox
# sweep, the search retry queue and the contact relay's purge every 5 minutes, the daily digests and
# review reminders and the comparable initiatives once a day. Production runs these from cron instead.
python=${1:-.venv/bin/python}
rounds=0
while sleep 300; do
    "$python" manage.py send_pending_emails -v0 >/dev/null
    "$python" manage.py process_search_queue -v0 >/dev/null
    "$python" manage.py purge_contact_messages -v0 >/dev/null
    rounds=$((rounds + 1))
    if [ $((rounds % 288)) -eq 0 ]; then
        "$python" manage.py send_notification_digests -v0 >/dev/null
        "$python" manage.py send_review_reminders -v0 >/dev/null
        "$python" manage.py refresh_similar_practices -v0 >/dev/null
    fi
done
