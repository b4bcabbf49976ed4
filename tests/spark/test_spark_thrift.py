"""The path to a cluster, once, on this machine (issue 8): a Spark standalone master, one worker and
a Spark Thrift server, all started from the pyspark package on 127.0.0.1, and dbt (`method:
thrift`, the `spark_thrift` output of dbt/profiles.yml) building the weekly comparison and its
lineage against it from the same raw Parquet as the parity test.

The pyspark wheel ships no sbin/start-master.sh, start-worker.sh or start-thriftserver.sh, but it
ships the classes and their jars (spark-hive-thriftserver): the scripts are thin wrappers, so the
processes are started the way they start them (`bin/spark-class ...Master`, `...Worker`, and
`bin/spark-submit --class ...HiveThriftServer2 spark-internal`).

Opt-in (a few minutes, three JVMs): SHORTFORM_SPARK_THRIFT=1 make test-spark.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.spark.test_spark_parity import DBT_DIR, SPARK_DBT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("SHORTFORM_SPARK_THRIFT") != "1" or not SPARK_DBT.exists(),
                       reason="opt-in: SHORTFORM_SPARK_THRIFT=1 make test-spark (starts a standalone Spark "
                              "master, worker and Thrift server on 127.0.0.1)"),
]

# The comparison mart and every model it needs (the whole project and its tests: test_spark_parity).
SELECT = "+rpt_platform_comparison_weekly"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen, log: Path, what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what} exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        with socket.socket() as s:
            s.settimeout(1)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(1)
    pytest.fail(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """(thrift port, work dir, env): master + worker + Thrift server, stopped afterwards."""
    spark_home = Path(subprocess.run([str(SPARK_DBT.with_name("python")), "-c",
                                      "import pyspark, os; print(os.path.dirname(pyspark.__file__))"],
                                     capture_output=True, text=True, check=True).stdout.strip())
    root = tmp_path_factory.mktemp("spark_thrift")
    env = {**os.environ, "SPARK_HOME": str(spark_home), "SPARK_LOCAL_IP": "127.0.0.1",
           "SPARK_LOCAL_DIRS": str(root / "local"), "SPARK_WORKER_DIR": str(root / "worker"),
           "SPARK_LOG_DIR": str(root / "logs"), "PYSPARK_PYTHON": str(SPARK_DBT.with_name("python"))}
    env.pop("VIRTUAL_ENV", None)
    master_port, thrift_port = _free_port(), _free_port()
    master_url = f"spark://127.0.0.1:{master_port}"
    procs: list[subprocess.Popen] = []

    def start(name: str, args: list[str]) -> tuple[subprocess.Popen, Path]:
        log = root / f"{name}.log"
        proc = subprocess.Popen(args, env=env, cwd=root, stdout=log.open("w"), stderr=subprocess.STDOUT,
                                start_new_session=True)
        procs.append(proc)
        return proc, log

    bin_dir = spark_home / "bin"
    try:
        master, log = start("master", [str(bin_dir / "spark-class"), "org.apache.spark.deploy.master.Master",
                                       "--host", "127.0.0.1", "--port", str(master_port),
                                       "--webui-port", str(_free_port())])
        _wait_port(master_port, master, log, "Spark master")
        start("worker", [str(bin_dir / "spark-class"), "org.apache.spark.deploy.worker.Worker",
                         "--host", "127.0.0.1", "--cores", "2", "--memory", "2g",
                         "--webui-port", str(_free_port()), master_url])
        thrift, log = start("thrift", [
            str(bin_dir / "spark-submit"), "--class", "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
            "--name", "shortform-thrift", "--master", master_url,
            "--driver-memory", "1g", "--executor-memory", "1g",
            "--conf", f"spark.sql.warehouse.dir={root / 'warehouse'}",
            "--conf", "spark.sql.session.timeZone=UTC", "--conf", "spark.sql.shuffle.partitions=4",
            "--conf", "spark.ui.enabled=false",
            "--conf", f"spark.driver.extraJavaOptions=-Dderby.system.home={root}",
            "--hiveconf", f"javax.jdo.option.ConnectionURL=jdbc:derby:;databaseName={root / 'metastore_db'};create=true",
            "--hiveconf", "hive.server2.thrift.bind.host=127.0.0.1",
            "--hiveconf", f"hive.server2.thrift.port={thrift_port}",
            "spark-internal"])
        _wait_port(thrift_port, thrift, log, "Spark Thrift server", timeout=900)
        yield thrift_port, root, env
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_dbt_builds_on_a_standalone_cluster_through_the_thrift_server(cluster, tmp_path):
    from tests.spark import raw_data

    thrift_port, root, env = cluster
    db = raw_data.land_raw(tmp_path)
    raw_data.export_parquet(db, tmp_path / "parquet")
    env = {**env, "SHORTFORM_DBT_TARGET": "spark_thrift", "SHORTFORM_SPARK_THRIFT_HOST": "127.0.0.1",
           "SHORTFORM_SPARK_THRIFT_PORT": str(thrift_port),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}
    common = ["--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR), "--log-path", str(tmp_path / "logs")]
    target = ["--target-path", str(tmp_path / "target")]
    for args in (["debug"],
                 ["run-operation", "register_raw_parquet", "--args", f"{{root: '{tmp_path / 'parquet'}'}}", *target],
                 ["seed", *target],
                 ["run", "--select", SELECT, *target]):
        proc = subprocess.run([str(SPARK_DBT), *args, *common], env=env, cwd=DBT_DIR,
                              capture_output=True, text=True, timeout=1800)
        lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if not ln.startswith("{")]
        assert proc.returncode == 0, f"dbt {args[0]} on the Thrift server failed:\n" + "\n".join(lines[-60:])
    summary = next((ln for ln in reversed(lines) if "Done. PASS=" in ln), "")
    print(f"dbt run {SELECT} on a standalone Spark cluster via Thrift: {summary.strip()}", file=sys.stderr)

    # The mart is a table of the cluster's warehouse, written by the executors.
    parts = list((root / "warehouse" / "marts.db" / "rpt_platform_comparison_weekly").glob("*.parquet"))
    assert parts, "no Parquet files for marts.rpt_platform_comparison_weekly in the cluster's warehouse"
    import duckdb

    with duckdb.connect() as conn:
        rows = conn.execute(f"select count(*), count(distinct surface) "
                            f"from read_parquet('{parts[0].parent}/*.parquet')").fetchone()
    assert rows[0] > 0 and rows[1] == 4, rows
