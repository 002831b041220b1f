"""A real HTTP receiver on a free loopback port, for webhook tests: records what arrives, answers as told."""
import http.server
import threading
import time


class Receiver:
    """`answers` is a list of status codes used in turn (the last one repeats); a 3xx answer carries
    `Location: <this receiver>/elsewhere`. `trickle` seconds: the answer is sent a byte at a time, that far apart."""

    def __init__(self, answers=(200,), trickle=0.0):
        self.answers = list(answers)
        self.trickle = trickle
        self.received = []  # (headers dict, body bytes)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.answers.pop(0) if len(receiver.answers) > 1 else receiver.answers[0]
                if receiver.trickle:
                    return self._trickle(status)
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", receiver.url + "/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def _trickle(self, status):
                answer = f"HTTP/1.1 {status} OK\r\n" + "X-Padding: x\r\n" * 100 + "Content-Length: 2\r\n\r\nok"
                try:
                    for byte in answer.encode():
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(receiver.trickle)
                except OSError:
                    pass  # the portal hung up

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
