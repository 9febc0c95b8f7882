#!/usr/bin/python3
"""smtpd.py: the SMTP server the crm-mail tests talk to (aiosmtpd).

Listens on 127.0.0.1 (or --bind) on a free port, writes the port to
--port-file once listening, and stores every accepted message as
DIR/NAME.eml with its envelope in DIR/NAME.env (JSON: mail_from, rcpt_tos).

Scripted behaviour:
  --reply STAGE:ADDR:REPLY   answer REPLY ("550 5.1.1 no such user") at
                             STAGE (mail, rcpt or data) when the address
                             (sender for mail, recipient otherwise) is ADDR
                             or ADDR is '*'; repeatable
  --drop-after N             accept N messages, then close the connection
                             when the next DATA command comes (the message
                             never got through; the client knows)
  --drop-after-dot N         accept N messages, then read the next one whole
                             and close without a reply (the client cannot
                             know whether it was delivered)
  --drop-mid N               accept N messages, then answer 354 to the next
                             DATA, read two lines of it and close (the
                             connection breaks in the middle of the message)
  --hang-after N             accept N messages, then read the next one whole
                             and never answer; the file DIR/hanging appears
                             once the message is read (the client is then
                             waiting for a reply that will not come)
  --shutdown-after N         accept N messages, then answer every later
                             MAIL with 421 and close the connection
  --starttls CERT KEY        offer STARTTLS with this certificate
  --require-starttls         refuse MAIL before STARTTLS
  --auth USER:PASS           require AUTH PLAIN/LOGIN with these credentials
"""
import argparse
import asyncio
import json
import os
import ssl
import sys
import time

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class State:
    def __init__(self, args):
        self.args = args
        self.accepted = 0
        self.seq = 0
        self.replies = []
        for r in args.reply:
            stage, addr, reply = r.split(":", 2)
            if stage not in ("mail", "rcpt", "data"):
                sys.exit("smtpd.py: --reply stage must be mail, rcpt or data")
            self.replies.append((stage, addr.lower(), reply))

    def scripted(self, stage, addrs):
        for s, a, reply in self.replies:
            if s != stage:
                continue
            if a == "*" or any(x.lower() == a for x in addrs):
                return reply
        return None


class Handler:
    def __init__(self, state):
        self.state = state

    async def handle_MAIL(self, server, session, envelope, address, options):
        r = self.state.scripted("mail", [address])
        if r:
            return r
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):
        r = self.state.scripted("rcpt", [address])
        if r:
            log("rcpt", address, r)
            return r
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        st = self.state
        a = st.args
        if a.hang_after is not None and st.accepted >= a.hang_after:
            log("hanging after the final dot")
            with open(os.path.join(a.dir, "hanging"), "w"):
                pass
            await asyncio.sleep(3600)
            return "421 too late"
        if a.drop_after_dot is not None and st.accepted >= a.drop_after_dot:
            log("drop after the final dot")
            server.transport.abort()
            return "421 dropped"
        r = st.scripted("data", envelope.rcpt_tos)
        if r:
            log("data", envelope.rcpt_tos, r)
            return r
        st.accepted += 1
        st.seq += 1
        name = "%d-%d-%06d" % (time.time_ns(), os.getpid(), st.seq)
        d = a.dir
        data = envelope.original_content or envelope.content
        with open(os.path.join(d, name + ".tmp"), "wb") as f:
            f.write(data)
        with open(os.path.join(d, name + ".env"), "w") as f:
            json.dump({"mail_from": envelope.mail_from,
                       "rcpt_tos": envelope.rcpt_tos}, f)
        # The .eml appears last and whole: tests count these.
        os.rename(os.path.join(d, name + ".tmp"), os.path.join(d, name + ".eml"))
        log("accepted", envelope.mail_from, envelope.rcpt_tos)
        return "250 2.0.0 queued as %s" % name


class TestSMTP(SMTP):
    def __init__(self, handler, state, **kw):
        super().__init__(handler, **kw)
        self.state = state

    def connection_made(self, transport):
        log("connect")
        super().connection_made(transport)

    async def smtp_DATA(self, arg):
        st = self.state
        if st.args.drop_after is not None and st.accepted >= st.args.drop_after \
                and self.envelope.rcpt_tos:
            log("drop at DATA")
            self.transport.abort()
            return
        if st.args.drop_mid is not None and st.accepted >= st.args.drop_mid \
                and self.envelope.rcpt_tos:
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            for _ in range(2):
                await self._reader.readuntil(b"\r\n")
            log("drop in the middle of the message")
            self.transport.abort()
            return
        return await super().smtp_DATA(arg)

    async def smtp_MAIL(self, arg):
        if self.shutting_down():
            return
        return await super().smtp_MAIL(arg)

    def shutting_down(self):
        st = self.state
        if st.args.shutdown_after is None or st.accepted < st.args.shutdown_after:
            return False
        log("421 and close")
        self.transport.write(b"421 4.3.2 smtpd.test shutting down\r\n")
        self.transport.close()
        return True


def log(*a):
    print("smtpd:", *a, flush=True)


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--reply", action="append", default=[])
    p.add_argument("--drop-after", type=int)
    p.add_argument("--drop-after-dot", type=int)
    p.add_argument("--drop-mid", type=int)
    p.add_argument("--hang-after", type=int)
    p.add_argument("--shutdown-after", type=int)
    p.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--auth")
    a = p.parse_args()
    state = State(a)
    handler = Handler(state)
    kw = {"hostname": "smtpd.test", "decode_data": False}
    if a.starttls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.starttls[0], a.starttls[1])
        kw["tls_context"] = ctx
        kw["require_starttls"] = a.require_starttls
    if a.auth:
        user, pw = a.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, data):
            ok = isinstance(data, LoginPassword) and \
                data.login.decode() == user and data.password.decode() == pw
            log("auth", mechanism, "ok" if ok else "refused")
            return AuthResult(success=ok)
        kw["authenticator"] = authenticator
        kw["auth_required"] = True
        kw["auth_require_tls"] = False
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: TestSMTP(handler, state, **kw),
                                      a.bind, 0)
    port = server.sockets[0].getsockname()[1]
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, a.port_file)
    log("listening on", a.bind, port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
