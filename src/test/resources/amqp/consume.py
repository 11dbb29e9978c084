#!/usr/bin/env python3
"""A department's AMQP 1.0 consumer (python3-qpid-proton), as in docs/share-with-departments.md.

Usage: consume.py URL USER PASSWORD QUEUE IDLE_SECONDS
Prints one JSON line per message received ({"deliveryId", "priorityClass", "body"}) and accepts each
message after printing it; stops after IDLE_SECONDS without a message. Exit code 2 when the broker
refuses the login or the queue, with the broker's reason on stderr.
"""
import json
import sys

from proton import Message
from proton.handlers import MessagingHandler
from proton.reactor import Container


class Consumer(MessagingHandler):
    def __init__(self, url, user, password, queue, idle):
        super().__init__(auto_accept=False)
        self.url, self.user, self.password, self.queue, self.idle = url, user, password, queue, idle
        self.timer = None
        self.failed = None
        self.done = False

    def on_start(self, event):
        conn = event.container.connect(self.url, user=self.user, password=self.password,
                                       allowed_mechs="PLAIN", sasl_enabled=True, allow_insecure_mechs=True,
                                       reconnect=False)
        event.container.create_receiver(conn, self.queue)
        self.timer = event.container.schedule(self.idle, self)

    def on_timer_task(self, event):
        self.done = True
        event.container.stop()

    def on_message(self, event):
        props = event.message.properties or {}
        print(json.dumps({"deliveryId": props.get("govhubDeliveryId"), "priorityClass": props.get("govhubPriorityClass"),
                          "body": json.loads(event.message.body)}, ensure_ascii=False), flush=True)
        self.accept(event.delivery)
        self.timer.cancel()
        self.timer = event.container.schedule(self.idle, self)

    def fail(self, event, what):
        if self.done:
            return
        if self.failed is None:
            self.failed = what
        event.container.stop()

    def on_link_error(self, event):
        self.fail(event, "link refused: %s" % event.link.remote_condition)

    def on_connection_error(self, event):
        self.fail(event, "connection refused: %s" % event.connection.remote_condition)

    def on_transport_error(self, event):
        self.fail(event, "transport error: %s" % event.transport.condition)

    def on_link_closed(self, event):
        self.fail(event, "link closed by the broker: %s" % event.link.remote_condition)

    def on_disconnected(self, event):
        self.fail(event, "disconnected")


if __name__ == "__main__":
    url, user, password, queue, idle = sys.argv[1:6]
    consumer = Consumer(url, user, password, queue, float(idle))
    Container(consumer).run()
    if consumer.failed:
        print(consumer.failed, file=sys.stderr)
        sys.exit(2)
