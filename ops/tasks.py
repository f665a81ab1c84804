"""Beat's heartbeat: proof, every minute, that beat sends its jobs and a worker runs them."""

from celery import shared_task

from catalog.background import BeatJob

from . import services


@shared_task(base=BeatJob, bind=True)
def heartbeat(self) -> str:
    # Who ran it is the background worker that takes the sweeps queue, like every beat job.
    services.heartbeat_record(name=services.BEAT, hostname=self.request.hostname or "")
    return services.BEAT
