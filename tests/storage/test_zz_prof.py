import time
from credstack.credentials import files

def test_prof(bucket, org, issue, settings):
    settings.CREDSTACK_KEEP_CERTIFICATES = True
    creds = [issue() for _ in range(401)]
    files.render_certificates.call([creds[0].pk])
    ids = [c.pk for c in creds[1:]]
    for r in range(2):
        t = time.perf_counter(); c0 = time.process_time()
        for i in range(0, 400, 50): files.render_certificates.call(ids[i:i+50])
        print("\nper pdf wall ms", (time.perf_counter() - t) / 400 * 1000, "cpu ms", (time.process_time()-c0)/400*1000)
