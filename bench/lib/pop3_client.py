"""POP3 full retrieval with Python's poplib, the client side of bench/pop3.mjs.

  python3 pop3_client.py PORT USER PASSWORD            one session, prints JSON
  python3 pop3_client.py PORT PREFIX PASSWORD N        N concurrent sessions on users PREFIX0..PREFIX(N-1)

A session: connect, USER, PASS (timed as "login"), STAT, UIDL, LIST, RETR of
every message one at a time, QUIT. Times are wall-clock seconds.
"""
import json
import multiprocessing
import poplib
import sys
import time


def session(port, user, password):
    start = time.perf_counter()
    pop = poplib.POP3('127.0.0.1', port, timeout=600)
    pop.user(user)
    login_start = time.perf_counter()
    pop.pass_(password)
    login = time.perf_counter() - login_start
    count, _ = pop.stat()
    pop.uidl()
    pop.list()
    octets = 0
    for number in range(1, count + 1):
        _, lines, size = pop.retr(number)
        octets += size
    pop.quit()
    return {'total': time.perf_counter() - start, 'login': login, 'messages': count, 'octets': octets}


def worker(port, user, password, barrier, results):
    barrier.wait()
    results.put(session(port, user, password))


def main():
    port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    if len(sys.argv) == 4:
        print(json.dumps(session(port, user, password)))
        return
    sessions = int(sys.argv[4])
    barrier = multiprocessing.Barrier(sessions + 1)
    results = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=worker, args=(port, f'{user}{i}', password, barrier, results)) for i in range(sessions)]
    for process in workers:
        process.start()
    barrier.wait()
    start = time.perf_counter()
    done = [results.get() for _ in workers]
    wall = time.perf_counter() - start
    for process in workers:
        process.join()
    print(json.dumps({'wall': wall, 'sessions': done}))


if __name__ == '__main__':
    main()
