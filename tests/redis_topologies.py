"""A private Redis Cluster (3 masters, a replica each) and a private Redis Sentinel set-up
(1 master, 1 replica, 3 sentinels, quorum 2), both on free loopback ports from the
``redis-server`` binary, for tests.

Each keeps its files in a temporary folder and nothing on disk between runs. Every wait is on a
condition (the cluster's state, what the sentinels report) with a generous deadline: the
machine may be loaded. ``fail_over`` stops a master's process (SIGSTOP: it stops answering, as a
hung or cut-off machine does) until its replica has taken over, then lets it rejoin.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError

from tests.redis_server import MISSING, free_port

# Failure detection: short enough that a failover test takes seconds, long enough that a loaded
# machine's pauses don't look like a dead master (a spurious failover mid-suite).
NODE_TIMEOUT_MS = 2000
DEADLINE_S = 60.0


def cluster_port() -> int:
    """A free port whose cluster bus port (10,000 higher) is free too: both must be < 65,536."""
    while True:
        port = random.randint(20000, 55000)
        try:
            for candidate in (port, port + 10000):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", candidate))
        except OSError:
            continue
        return port


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(MISSING)
    return found


def wait_for(condition: Callable[[], bool], what: str, timeout: float = DEADLINE_S) -> None:
    """Poll ``condition`` until it holds; a RedisError counts as not yet."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except RedisError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.05)


class _Processes:
    """redis-server processes started in one temporary folder, stopped together."""

    def __init__(self, prefix: str) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix=prefix))
        self.processes: dict[int, subprocess.Popen[bytes]] = {}

    def spawn(self, port: int, *args: str) -> None:
        log = open(self.folder / f"{port}.log", "wb")  # noqa: SIM115 - the process owns it
        self.processes[port] = subprocess.Popen(
            [_binary("redis-server"), *args], stdout=log, stderr=subprocess.STDOUT
        )
        log.close()

    def client(self, port: int) -> Redis:
        return Redis(port=port, socket_timeout=1.0, socket_connect_timeout=1.0)

    def answers(self, port: int) -> bool:
        with self.client(port) as client:
            return bool(client.ping())

    def pause(self, port: int) -> None:
        os.kill(self.processes[port].pid, signal.SIGSTOP)

    def resume(self, port: int) -> None:
        os.kill(self.processes[port].pid, signal.SIGCONT)

    def stop(self) -> None:
        for process in self.processes.values():
            os.kill(process.pid, signal.SIGCONT)  # a paused process can't act on SIGTERM
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        self.processes.clear()
        shutil.rmtree(self.folder, ignore_errors=True)


def _data_node(port: int, folder: Path, *extra: str) -> list[str]:
    return [
        "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
        "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction",
        *extra,
    ]  # fmt: skip


class RedisClusterServers:
    """Six ``redis-server --cluster-enabled yes`` nodes formed into 3 masters with a replica
    each by ``redis-cli --cluster create``."""

    def __init__(self) -> None:
        self.ports: list[int] = []
        while len(self.ports) < 6:
            port = cluster_port()
            if not {port, port + 10000} & {p + d for p in self.ports for d in (0, 10000)}:
                self.ports.append(port)
        self.nodes = _Processes("teller-cluster-")

    @property
    def addresses(self) -> str:
        """The ``REDIS_CLUSTER_NODES`` value: every node, ``host:port,…``."""
        return ",".join(f"127.0.0.1:{port}" for port in self.ports)

    def start(self) -> RedisClusterServers:
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> RedisClusterServers:
        for port in self.ports:
            self.nodes.spawn(
                port,
                *_data_node(port, self.nodes.folder),
                "--cluster-enabled", "yes",
                "--cluster-config-file", f"nodes-{port}.conf",
                "--cluster-node-timeout", str(NODE_TIMEOUT_MS),
            )  # fmt: skip
        for port in self.ports:
            wait_for(partial(self.nodes.answers, port), f"cluster node {port}")
        subprocess.run(
            [_binary("redis-cli"), "--cluster", "create"]
            + [f"127.0.0.1:{port}" for port in self.ports]
            + ["--cluster-replicas", "1", "--cluster-yes"],
            check=True,
            capture_output=True,
            timeout=DEADLINE_S,
        )
        wait_for(self.healthy, "the cluster to form")
        return self

    def roles(self) -> dict[int, str]:
        """Each answering node's role ("master" or "slave")."""
        found: dict[int, str] = {}
        for port in self.ports:
            with self.nodes.client(port) as client:
                role = client.execute_command("ROLE")
            found[port] = role[0].decode() if isinstance(role[0], bytes) else str(role[0])
        return found

    def healthy(self) -> bool:
        """Every node sees all slots served, 3 masters, each with a replica that has synced."""
        for port in self.ports:
            with self.nodes.client(port) as client:
                info = client.cluster("INFO")
                if info.get("cluster_state") != "ok" or int(info["cluster_slots_ok"]) != 16384:
                    return False
                if int(info["cluster_size"]) != 3:
                    return False
        masters = [port for port, role in self.roles().items() if role == "master"]
        if len(masters) != 3:
            return False
        for port in masters:
            with self.nodes.client(port) as client:
                replicas = client.info("replication")
            if int(replicas["connected_slaves"]) != 1 or replicas["slave0"]["state"] != "online":
                return False
        return True

    def master_of(self, key: str) -> int:
        """The port of the master that serves ``key``'s slot now."""
        with self.nodes.client(self.ports[0]) as client:
            slot = int(client.cluster("KEYSLOT", key))
            for start, end, master, *_ in client.cluster("SLOTS"):
                if start <= slot <= end:
                    return int(master[1])
        raise RuntimeError(f"no master serves slot {slot}")

    def fail_over(self, key: str, during: Callable[[], None] | None = None) -> int:
        """Stop the master of ``key``'s slot until its replica is promoted; ``during`` runs
        while the master is gone, before the replica may take over (it is told not to until
        then, so that what ``during`` sees doesn't depend on the machine's speed). Returns the
        new master's port."""
        old = self.master_of(key)
        replicas = self._replicas_of(old)
        for port in replicas:
            with self.nodes.client(port) as client:
                client.config_set("cluster-replica-no-failover", "yes")
        self.nodes.pause(old)
        try:
            if during is not None:
                during()
            for port in replicas:
                with self.nodes.client(port) as client:
                    client.config_set("cluster-replica-no-failover", "no")
            others = [port for port in self.ports if port != old]

            def promoted() -> bool:
                with self.nodes.client(others[0]) as client:
                    info = client.cluster("INFO")
                return info.get("cluster_state") == "ok" and self._master_among(key, others)

            wait_for(promoted, "a replica to take over")
        finally:
            self.nodes.resume(old)
        wait_for(self.healthy, "the old master to rejoin as a replica")
        return self.master_of(key)

    def _replicas_of(self, master: int) -> list[int]:
        with self.nodes.client(master) as client:
            for _, _, serving, *replicas in client.cluster("SLOTS"):
                if int(serving[1]) == master:
                    return [int(replica[1]) for replica in replicas]
        return []

    def _master_among(self, key: str, ports: list[int]) -> bool:
        with self.nodes.client(ports[0]) as client:
            slot = int(client.cluster("KEYSLOT", key))
            for start, end, master, *_ in client.cluster("SLOTS"):
                if start <= slot <= end:
                    return int(master[1]) in ports
        return False

    def stop(self) -> None:
        self.nodes.stop()


class RedisSentinelServers:
    """A master, its replica and three sentinels watching it (quorum 2, as in production: one
    sentinel alone can't decide a master is down)."""

    MASTER_NAME = "teller"

    def __init__(self) -> None:
        self.master_port, self.replica_port = free_port(), free_port()
        self.sentinel_ports = [free_port() for _ in range(3)]
        self.nodes = _Processes("teller-sentinel-")

    @property
    def addresses(self) -> str:
        """The ``REDIS_SENTINELS`` value."""
        return ",".join(f"127.0.0.1:{port}" for port in self.sentinel_ports)

    def start(self) -> RedisSentinelServers:
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> RedisSentinelServers:
        folder = self.nodes.folder
        self.nodes.spawn(self.master_port, *_data_node(self.master_port, folder))
        self.nodes.spawn(
            self.replica_port,
            *_data_node(self.replica_port, folder),
            "--replicaof", "127.0.0.1", str(self.master_port),
        )  # fmt: skip
        wait_for(lambda: self._replica_online(self.master_port), "the replica to sync")
        for port in self.sentinel_ports:
            conf = folder / f"sentinel-{port}.conf"  # sentinels rewrite their file: one each
            conf.write_text(
                f"port {port}\nbind 127.0.0.1\ndir {folder}\n"
                f"sentinel monitor {self.MASTER_NAME} 127.0.0.1 {self.master_port} 2\n"
                f"sentinel down-after-milliseconds {self.MASTER_NAME} {NODE_TIMEOUT_MS}\n"
                f"sentinel failover-timeout {self.MASTER_NAME} 10000\n"
            )
            self.nodes.spawn(port, str(conf), "--sentinel")
        wait_for(self.healthy, "the sentinels to find each other and the replica")
        return self

    def _replica_online(self, master: int) -> bool:
        with self.nodes.client(master) as client:
            info = client.info("replication")
        return int(info["connected_slaves"]) == 1 and info["slave0"]["state"] == "online"

    def sentinel_view(self, port: int) -> dict[str, object]:
        with self.nodes.client(port) as client:
            found: dict[str, object] = client.sentinel_master(self.MASTER_NAME)
        return found

    def current_master(self) -> int:
        return int(str(self.sentinel_view(self.sentinel_ports[0])["port"]))

    def healthy(self) -> bool:
        """Every sentinel knows the other two, the same master and its one replica, in sync."""
        master = self.current_master()
        for port in self.sentinel_ports:
            view = self.sentinel_view(port)
            if int(str(view["port"])) != master or int(str(view["num-other-sentinels"])) != 2:
                return False
            if int(str(view["num-slaves"])) != 1 or view.get("is_odown") or view.get("is_sdown"):
                return False
        return self._replica_online(master)

    def fail_over(self, during: Callable[[], None] | None = None) -> int:
        """Stop the master until the sentinels promote the replica; ``during`` runs while the
        master is gone, before the sentinels may decide it is down (they are given an hour
        until then, and their usual time after: they count it from the last answer, so they
        act at once). Returns the new master's port."""
        old = self.current_master()
        self._down_after(3_600_000)
        self.nodes.pause(old)
        try:
            if during is not None:
                during()
            self._down_after(NODE_TIMEOUT_MS)
            wait_for(lambda: self.current_master() != old, "the sentinels to promote the replica")
        finally:
            self.nodes.resume(old)
        wait_for(self.healthy, "the old master to rejoin as a replica")
        return self.current_master()

    def _down_after(self, milliseconds: int) -> None:
        for port in self.sentinel_ports:
            with self.nodes.client(port) as client:
                client.sentinel_set(self.MASTER_NAME, "down-after-milliseconds", milliseconds)

    def stop(self) -> None:
        self.nodes.stop()
