"""The Docker-compatible engine and the Lambda base image that `sam local` needs.

Docker is used where one answers (`DOCKER_HOST`, or Docker's own socket). Otherwise the project runs
a rootful podman of its own: `setup` installs it from the distribution's packages (as root, with
apt-get) and configures it under `.tools/podman` (runc, cgroupfs, limits within the host's hard
limits, storage in the project); `start` serves its Docker API on a socket there, and `stop` ends
that service by its pid.

The base image is the real `public.ecr.aws/lambda/provided:al2023-<arch>` where it can be pulled,
and otherwise a stand-in that `setup` builds: busybox and the host's C library, which is enough for
SAM to build its emulator image on and for the bootstrap to run. A stand-in proves the template,
SAM, the Runtime Interface Emulator and the binary together; it does not prove Amazon Linux 2023
itself, which is why the tests also check the bootstrap's glibc symbols against AL2023's.

    python tools/container_engine.py setup   # install and configure (scripts/setup-tools runs it)
    python tools/container_engine.py start   # prints the DOCKER_HOST, SAM_IMAGE_ARGS and pid to export
    python tools/container_engine.py stop    # stops the podman service `start` started
"""

import hashlib
import io
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PODMAN_DIR = ROOT / ".tools" / "podman"
SOCKET = PODMAN_DIR / "podman.sock"
PID_FILE = PODMAN_DIR / "service.pid"
DOCKER_SOCKET = Path("/var/run/docker.sock")
PACKAGES = ["podman", "runc", "busybox-static"]
ARCH = {"x86_64": "x86_64", "aarch64": "arm64"}[platform.machine()]
REAL_IMAGE = f"public.ecr.aws/lambda/provided:al2023-{ARCH}"
STANDIN_IMAGE = f"localhost/batch-notifier/provided-standin:al2023-{ARCH}"
# Where the stand-in's dynamic loader and libraries come from, and where they go (as on Debian).
LOADER = {"x86_64": "/lib64/ld-linux-x86-64.so.2", "arm64": "/lib/ld-linux-aarch64.so.1"}[ARCH]
LIBDIR = {"x86_64": "/lib/x86_64-linux-gnu", "arm64": "/lib/aarch64-linux-gnu"}[ARCH]
# glibc's libraries as Amazon Linux 2023 has them (the release bootstrap, linked for old glibc
# versions, still names libpthread and libdl), and the unwinder.
LIBRARIES = ["libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libutil.so.1",
             "libresolv.so.2", "libgcc_s.so.1"]
# A stand-in built from another list is built again.
RECIPE = hashlib.sha256(" ".join([LOADER, LIBDIR, *LIBRARIES]).encode()).hexdigest()[:16]
RECIPE_LABEL = "batch-notifier.standin-recipe"
START_TIMEOUT = 30

# Root in this kind of sandbox lacks CAP_SYS_RESOURCE, so containers may not ask for more open
# files or processes than the host's hard limits; podman's default runtime (crun) does not run here.
CONTAINERS_CONF = """\
[containers]
default_ulimits = ["nofile={nofile}:{nofile}", "nproc={nproc}:{nproc}"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
"""
STORAGE_CONF = """\
[storage]
driver = "overlay"
graphroot = "{root}/storage"
runroot = "{root}/run"
"""


class EngineMissing(RuntimeError):
    """No engine can run here; the message says what is missing."""


def say(text):
    print(f"container-engine: {text}", file=sys.stderr)


def docker_host():
    """The DOCKER_HOST of a Docker engine that answers, or None."""
    host = os.environ.get("DOCKER_HOST")
    if host and host != f"unix://{SOCKET}":
        return host if answers(host) else None
    default = f"unix://{DOCKER_SOCKET}"
    return default if DOCKER_SOCKET.exists() and answers(default) else None


def answers(host):
    import docker  # the Docker SDK for Python, which SAM itself uses

    try:
        client = docker.DockerClient(base_url=host, timeout=5)
        client.ping()
        client.close()
        return True
    except Exception:  # any failure to answer means: not this one
        return False


def podman_env():
    return {**os.environ, "CONTAINERS_CONF": str(PODMAN_DIR / "containers.conf"),
            "CONTAINERS_STORAGE_CONF": str(PODMAN_DIR / "storage.conf")}


def podman(*args, check=True, **kw):
    return subprocess.run(["podman", *args], env=podman_env(), check=check, **kw)


def hard_limit(kind, fallback):
    hard = resource.getrlimit(kind)[1]
    return fallback if hard == resource.RLIM_INFINITY else min(hard, fallback)


def install_podman():
    """podman, runc and busybox-static from the distribution's packages, as root with apt-get."""
    missing = [name for name in ("podman", "runc", "busybox") if shutil.which(name) is None]
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise EngineMissing(
            f"no Docker engine answers and {', '.join(missing)} cannot be installed here "
            "(that needs root and apt-get): install Docker or podman, runc and busybox-static")
    say(f"installing {' '.join(PACKAGES)} with apt-get")
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(install, env=env, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run(install, env=env, check=True, stdout=subprocess.DEVNULL)


def configure_podman():
    PODMAN_DIR.mkdir(parents=True, exist_ok=True)
    (PODMAN_DIR / "containers.conf").write_text(
        CONTAINERS_CONF.format(nofile=hard_limit(resource.RLIMIT_NOFILE, 20000),
                               nproc=hard_limit(resource.RLIMIT_NPROC, 32768)))
    (PODMAN_DIR / "storage.conf").write_text(STORAGE_CONF.format(root=PODMAN_DIR))


def standin_rootfs():
    """A tar of busybox (a shell for SAM's image build) and the host's loader and C library."""
    busybox = shutil.which("busybox") or "/bin/busybox"
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w") as tar:
        for folder in ("tmp", "var/task", "var/runtime", "opt", "etc", "bin", "lib64", LIBDIR[1:]):
            info = tarfile.TarInfo(folder)
            info.type, info.mode = tarfile.DIRTYPE, 0o1777 if folder == "tmp" else 0o755
            tar.addfile(info)
        tar.add(os.path.realpath(busybox), "bin/busybox")
        applets = subprocess.run([busybox, "--list"], capture_output=True, text=True, check=True).stdout.split()
        for applet in applets:
            if applet != "busybox":
                link = tarfile.TarInfo(f"bin/{applet}")
                link.type, link.linkname = tarfile.SYMTYPE, "busybox"
                tar.addfile(link)
        tar.add(os.path.realpath(LOADER), LOADER[1:])
        for library in LIBRARIES:
            tar.add(os.path.realpath(f"{LIBDIR}/{library}"), f"{LIBDIR[1:]}/{library}")
    return data.getvalue()


def base_image():
    """The base image to run the function on: (name, is_standin), or None when there is none yet
    (or only a stand-in built from another recipe)."""
    if podman("image", "exists", REAL_IMAGE, check=False).returncode == 0:
        return REAL_IMAGE, False
    done = podman("image", "inspect", "--format", f'{{{{ index .Config.Labels "{RECIPE_LABEL}" }}}}',
                  STANDIN_IMAGE, check=False, capture_output=True, text=True)
    if done.returncode == 0 and done.stdout.strip() == RECIPE:
        return STANDIN_IMAGE, True
    return None


def provide_base_image():
    if base_image():
        return
    say(f"pulling {REAL_IMAGE}")
    if podman("pull", "-q", REAL_IMAGE, check=False, capture_output=True, timeout=600).returncode == 0:
        return
    say(f"{REAL_IMAGE} cannot be pulled here: building the stand-in {STANDIN_IMAGE}")
    # SAM builds its emulator's image on the base image once, and keeps it while its name exists.
    repository = STANDIN_IMAGE.rsplit(":", 1)[0]
    listed = podman("images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", f"reference={repository}",
                    capture_output=True, text=True).stdout.split()
    stale = [name for name in listed if name.split(":")[-1].startswith("rapid")]
    if stale:
        podman("rmi", "-f", *stale, stdout=subprocess.DEVNULL)
    podman("import", "-q", "--change", 'CMD ["/bin/sh"]', "--change", f"LABEL {RECIPE_LABEL}={RECIPE}", "-",
           STANDIN_IMAGE, input=standin_rootfs(), stdout=subprocess.DEVNULL)


def setup():
    if docker_host():
        say("a Docker engine answers: sam local uses it")
        return
    try:
        install_podman()
    except EngineMissing as missing:
        say(f"{missing}; the sam local tests will fail")
        return
    configure_podman()
    provide_base_image()


class Engine:
    """A running engine: its DOCKER_HOST, the base image and the arguments `sam local` needs for it,
    and what ran."""

    def __init__(self, host, image, image_args, description, process=None):
        self.host, self.image, self.image_args = host, image, image_args
        self.description, self.process = description, process

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        PID_FILE.unlink(missing_ok=True)


def start(log=subprocess.DEVNULL):
    """Docker where it answers (SAM pulls the real image itself), else the project's podman."""
    host = docker_host()
    if host:
        return Engine(host, REAL_IMAGE, [], f"Docker at {host}, the real {REAL_IMAGE} (SAM pulls it)")
    if shutil.which("podman") is None or not (PODMAN_DIR / "containers.conf").exists():
        raise EngineMissing("no Docker engine answers and the project's podman is not set up: "
                            "run scripts/setup-tools (as root on a Debian-like machine) or start Docker")
    image = base_image()
    if image is None:
        raise EngineMissing(f"neither {REAL_IMAGE} nor the stand-in {STANDIN_IMAGE} is in podman's "
                            "storage: run scripts/setup-tools")
    SOCKET.unlink(missing_ok=True)
    process = subprocess.Popen(["podman", "system", "service", "--time=0", f"unix://{SOCKET}"],
                               env=podman_env(), stdout=log, stderr=subprocess.STDOUT)
    PID_FILE.write_text(str(process.pid))
    host = f"unix://{SOCKET}"
    deadline = time.monotonic() + START_TIMEOUT
    while not (SOCKET.exists() and answers(host)):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise EngineMissing(f"podman's API service did not answer on {SOCKET} within {START_TIMEOUT} s")
        time.sleep(0.2)
    name, standin = image
    # SAM asks for the real image by name; the stand-in is named and never pulled.
    args = ["--skip-pull-image", "--invoke-image", name] if standin else ["--skip-pull-image"]
    kind = (f"the stand-in {name} (busybox and the host's glibc: proves the template, SAM, the emulator "
            "and the binary together, not Amazon Linux 2023 itself)") if standin else f"the real {name}"
    return Engine(host, name, args, f"podman at {host}, {kind}", process)


def bridge_gateway(host):
    """The host's address on the engine's default bridge: where a function in a container reaches a
    server on this machine. The bridge exists once a container has run on it."""
    import docker

    client = docker.DockerClient(base_url=host, timeout=30)
    try:
        for name in ("podman", "bridge"):
            try:
                network = client.networks.get(name)
            except docker.errors.NotFound:
                continue
            for config in network.attrs.get("IPAM", {}).get("Config") or []:
                if config.get("Gateway"):
                    return config["Gateway"]
        raise EngineMissing(f"the engine at {host} has no default bridge network with a gateway")
    finally:
        client.close()


def main(command):
    if command == "setup":
        setup()
    elif command == "start":
        engine = start()
        # The service outlives this command: `stop` ends it by its pid.
        engine.process = None
        print(f"export DOCKER_HOST={engine.host}")
        print(f"export SAM_IMAGE_ARGS='{' '.join(engine.image_args)}'")
        say(engine.description)
    elif command == "stop":
        if PID_FILE.exists():
            try:
                os.kill(int(PID_FILE.read_text()), signal.SIGTERM)
            except ProcessLookupError:
                pass
            PID_FILE.unlink()
    else:
        raise SystemExit(f"usage: {sys.argv[0]} setup|start|stop")


if __name__ == "__main__":
    try:
        main(sys.argv[1] if len(sys.argv) > 1 else "")
    except EngineMissing as missing:
        raise SystemExit(f"container-engine: {missing}")
