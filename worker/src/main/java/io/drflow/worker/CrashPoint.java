package io.drflow.worker;

import io.drflow.activities.runbook.BackupActivitiesImpl;
import io.drflow.activities.storage.ChunkedDownloader;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptor;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkflowOutboundCallsInterceptor;
import io.temporal.common.interceptors.WorkflowOutboundCallsInterceptorBase;
import io.temporal.workflow.Workflow;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A test hook that SIGKILLs this worker at a named point, so crash tests can stop it exactly where
 * they mean to (between two activities, inside a transfer) rather than wherever a timer happens to
 * land. Off unless {@value #ENV} is set; never set it in production.
 *
 * <p>Points: {@code schedule:<ActivityType>} (the workflow is about to schedule it, i.e. the
 * previous activity's result is recorded and nothing of this one has started), {@code
 * complete:<WorkflowType>} (the workflow returned its result, not yet recorded), {@code
 * start:<ActivityType>} (the activity task is accepted, its body not yet run), {@code
 * finish:<ActivityType>} (the body returned, its result not yet reported), {@code
 * mid:<ActivityType>} (the first heartbeat showing progress: a downloaded chunk, an uploaded part,
 * pg_restore running).
 */
final class CrashPoint extends WorkerInterceptorBase {

  static final String ENV = "DRFLOW_TEST_CRASH_POINT";

  private final String point;

  private CrashPoint(String point) {
    this.point = point;
  }

  /** The interceptor for the point named in the environment, if any. */
  static Optional<CrashPoint> fromEnvironment() {
    String p = System.getenv(ENV);
    return p == null || p.isBlank() ? Optional.empty() : Optional.of(new CrashPoint(p.strip()));
  }

  String point() {
    return point;
  }

  private void reached(String where) {
    if (point.equals(where)) {
      die(where);
    }
  }

  /** SIGKILL, as the OOM killer or a lost host would: no shutdown hook, nothing reported. */
  private static void die(String where) {
    long pid = ProcessHandle.current().pid();
    System.err.println("drflow-worker: crash point " + where + " reached: SIGKILL " + pid);
    System.err.flush();
    try {
      new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor(10, TimeUnit.SECONDS);
      Thread.sleep(10_000);
    } catch (Exception | Error e) {
      // fall through to halt: the point of this method is that the process ends here
    }
    Runtime.getRuntime().halt(137);
  }

  @Override
  public WorkflowInboundCallsInterceptor interceptWorkflow(WorkflowInboundCallsInterceptor next) {
    return new WorkflowInboundCallsInterceptorBase(next) {
      @Override
      public void init(WorkflowOutboundCallsInterceptor outbound) {
        super.init(
            new WorkflowOutboundCallsInterceptorBase(outbound) {
              @Override
              public <R> ActivityOutput<R> executeActivity(ActivityInput<R> input) {
                if (!Workflow.isReplaying()) {
                  reached("schedule:" + input.getActivityName());
                }
                return super.executeActivity(input);
              }
            });
      }

      @Override
      public WorkflowOutput execute(WorkflowInput input) {
        WorkflowOutput out = super.execute(input);
        if (!Workflow.isReplaying()) {
          reached("complete:" + Workflow.getInfo().getWorkflowType());
        }
        return out;
      }
    };
  }

  @Override
  public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
    return new ActivityInboundCallsInterceptorBase(next) {
      private String type;

      @Override
      public void init(ActivityExecutionContext context) {
        type = context.getInfo().getActivityType();
        super.init(watchHeartbeats(context, type));
      }

      @Override
      public ActivityOutput execute(ActivityInput input) {
        reached("start:" + type);
        ActivityOutput out = super.execute(input);
        reached("finish:" + type);
        return out;
      }
    };
  }

  /** The activity's context, with each heartbeat checked against {@code mid:<type>}. */
  private ActivityExecutionContext watchHeartbeats(ActivityExecutionContext context, String type) {
    if (!point.equals("mid:" + type)) {
      return context;
    }
    InvocationHandler h =
        (proxy, method, args) -> {
          if (method.getName().equals("heartbeat") && args != null && args.length == 1
              && showsProgress(args[0])) {
            die("mid:" + type);
          }
          return invoke(context, method, args);
        };
    return (ActivityExecutionContext)
        Proxy.newProxyInstance(
            ActivityExecutionContext.class.getClassLoader(), new Class<?>[] {ActivityExecutionContext.class}, h);
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** Some of the work is done and some is left: a verified chunk on disk, a part in the bucket. */
  static boolean showsProgress(Object details) {
    if (details instanceof ChunkedDownloader.Checkpoint c) {
      return c.chunksDone() > 0;
    }
    if (details instanceof BackupActivitiesImpl.StreamProgress p) {
      return "streaming".equals(p.stage()) && p.storedBytes() > 0;
    }
    return details != null;
  }
}
