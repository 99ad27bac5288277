"""Each construct, built from Python with Python names (snake_case props, static factories)."""
import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_ecs as ecs
from aws_cdk.assertions import Match, Template

import keras_inference_guard as kig


def profile(hardware="ml.g5.xlarge", gpu=5000):
    return kig.InferenceProfile.of(
        model="resnet50", hardware=hardware,
        latency_ms=kig.LatencyPercentiles(p50=20, p90=35, p99=60),
        sustainable_concurrency=8, throughput_per_instance_rps=120,
        peak_host_memory_mib=4000, peak_gpu_memory_mib=gpu, cold_start_seconds=120, max_request_bytes=600_000,
    )


SIGNATURE = kig.ModelSignature.single_tensor(name="image", dtype=kig.TensorDType.FLOAT32, shape=[28, 28, 1], max_batch_size=8)
MODEL = kig.ModelArtifact.from_s3_uri("s3://bucket/model.tar.gz")


@pytest.fixture
def stack():
    return cdk.Stack(cdk.App(), "S")


def test_keras_inference_service_with_a_job_queue(stack):
    svc = kig.KerasInferenceService(stack, "Svc", profile=profile(), compute=kig.InferenceCompute.sage_maker_realtime(model=MODEL), signature=SIGNATURE,
                                    max_instances=4, job_queue=kig.KerasJobQueueOptions())
    t = Template.from_stack(stack)
    t.resource_count_is("AWS::SageMaker::Endpoint", 1)
    t.resource_count_is("AWS::WAFv2::WebACL", 1)
    assert svc.jobs is not None and svc.jobs.limits.depth_budget > 0
    assert svc.limits.scaling.max_instances == 4
    assert "throttle.rateLimit" in svc.limits.formulas
    assert isinstance(svc.backend, kig.SageMakerRealtimeBackend)
    # Every part exposes its alarms one way; the service's list holds them all, each by name.
    paths = [a.node.path for a in svc.alarms.all]
    assert svc.jobs.alarms.get("Depth").node.path in paths
    assert svc.backend.alarms.get("ModelLatencyP99").node.path in paths
    assert len(svc.alarms.all) == len(Template.from_stack(stack).find_resources("AWS::CloudWatch::Alarm"))
    assert svc.under_attack is not None and svc.dashboard is not None


def test_sagemaker_realtime_backend_inference_api_and_alarms(stack):
    limits = kig.Limits.derive(profile(), max_instances=2)
    backend = kig.SageMakerRealtimeBackend(stack, "Backend", profile=profile(), model=MODEL, limits=limits, instance_type="ml.g5.xlarge")
    topic = kig.AlarmTopic(stack, "Topic")
    api = kig.InferenceApi(stack, "Api", target=backend, limits=limits, signature=SIGNATURE)
    alarms = kig.InferenceAlarms(stack, "Alarms", api=api, limits=limits, alarm_topic=topic.topic, backend=backend)
    t = Template.from_stack(stack)
    t.resource_count_is("AWS::ApiGateway::RestApi", 1)
    t.has_resource_properties("AWS::ApplicationAutoScaling::ScalableTarget", {"MaxCapacity": 2})
    # The backend's endpoint alarms (SageMaker ModelLatency against the profile) join the API's.
    assert "ModelLatency" in json.dumps(t.find_resources("AWS::CloudWatch::Alarm"))
    assert "ApiLatencyP99" in alarms.alarms.names and "ModelLatencyP99" in backend.alarms.names
    assert len(alarms.alarms.all) + len(backend.alarms.all) == len(t.find_resources("AWS::CloudWatch::Alarm"))
    assert backend.hardware.gpus == 1 and backend.hardware.memory_mib > 0


def test_sagemaker_async_backend(stack):
    kig.SageMakerAsyncBackend(stack, "Async", profile=profile(), model=MODEL, instance_type="ml.g5.xlarge",
                              min_instances=0, max_instances=2, acceptable_wait=cdk.Duration.minutes(30))
    Template.from_stack(stack).has_resource_properties("AWS::ApplicationAutoScaling::ScalableTarget", {"MinCapacity": 0, "MaxCapacity": 2})


def test_inference_queue_on_a_sagemaker_endpoint(stack):
    q = kig.InferenceQueue(stack, "Jobs", profile=profile(), signature=SIGNATURE,
                           backend=kig.WorkerBackend.sage_maker_endpoint_by_name("my-endpoint"),
                           limits=kig.QueueLimitOptions(max_instances=2))
    api = apigw.RestApi(stack, "Api")
    q.attach_to_api(api.root)
    Template.from_stack(stack).resource_count_is("AWS::SQS::Queue", 2)
    assert q.limits.visibility_timeout_seconds >= 6 * q.limits.worker_timeout_seconds
    # The dead-letter reconciler, reachable from Python, runs on a 5-minute schedule.
    assert q.reconciler_function.function_arn
    Template.from_stack(stack).has_resource_properties("AWS::Events::Rule", {"ScheduleExpression": "rate(5 minutes)"})


def test_ecs_gpu_service_and_queue_worker(stack):
    gpu = profile("g5.xlarge")
    limits = kig.Limits.derive(gpu, max_instances=2, backend=kig.EcsInferenceService.capabilities_for(gpu))
    server = kig.ModelServer.tensorflow_serving(version="2.19.0", model=kig.ModelSource.in_image("/opt/models/m"))
    svc = kig.EcsInferenceService(stack, "Svc", profile=gpu, limits=limits, model_server=server,
                                  capacity=kig.EcsCapacity.gpu_instances(instance_type="g5.xlarge"))
    jobs = kig.InferenceQueue(stack, "Jobs", profile=gpu, signature=SIGNATURE, backend=kig.WorkerBackend.external_consumer())
    kig.EcsQueueWorker(stack, "Worker", profile=gpu, limits=limits, model_server=server,
                       capacity=kig.EcsCapacity.gpu_instances(instance_type="g5.xlarge"), cluster=svc.cluster, queue=jobs.queue,
                       consumer_image=ecs.ContainerImage.from_registry("public.ecr.aws/example/consumer:1.0.0"),
                       acceptable_latency=cdk.Duration.minutes(5), max_tasks=2)
    Template.from_stack(stack).resource_count_is("AWS::ECS::Service", 2)


def test_rule_pack_and_its_acknowledgements(stack):
    pack = kig.InferenceGuardChecks(exclude_rules=["InferenceGuard-APIWAFRateLimit"])
    assert "InferenceGuard-APIStageThrottling" in pack.rule_ids
    assert "InferenceGuard-APIWAFRateLimit" not in pack.rule_ids
    api = apigw.RestApi(stack, "Api", endpoint_types=[apigw.EndpointType.REGIONAL])
    api.root.add_method("GET")
    kig.InferenceGuardChecks.record_extended_integration_timeout(api, "quota request 1234")
    resources = Template.from_stack(stack).find_resources("AWS::ApiGateway::RestApi")
    assert "quota request 1234" in str(resources)


def test_keras_inference_service_on_sagemaker_serverless(stack):
    cpu = kig.InferenceProfile.of(
        model="mnist", hardware="ml.c5.xlarge", latency_ms=kig.LatencyPercentiles(p50=25, p90=40, p99=60),
        sustainable_concurrency=4, throughput_per_instance_rps=60, peak_host_memory_mib=1400, peak_gpu_memory_mib=0,
        cold_start_seconds=40, max_request_bytes=120_000,
    )
    svc = kig.KerasInferenceService(stack, "Svc", profile=cpu, signature=SIGNATURE,
                                    compute=kig.InferenceCompute.sage_maker_serverless(model=MODEL, max_cost_per_hour_usd=1.5))
    # 1.2 x 1400 MiB -> the 2048 MB step; $1.50/h / (2 GB x $0.00002/GB-s x 3600 s) -> MaxConcurrency 10.
    Template.from_stack(stack).has_resource_properties("AWS::SageMaker::EndpointConfig", {
        "ProductionVariants": [Match.object_like({"ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 10}})],
    })
    assert svc.limits.scaling.max_instances == 10
    assert isinstance(svc.sync_backend, kig.SageMakerServerlessBackend)
    with pytest.raises(RuntimeError) as err:
        kig.KerasInferenceService(cdk.Stack(cdk.App(), "Bad"), "Svc", profile=cpu, signature=SIGNATURE,
                                  compute=kig.InferenceCompute.sage_maker_serverless(model=MODEL, memory_size_mb=1500))
    assert "memorySizeMb" in str(err.value) and "1024, 2048, 3072, 4096, 5120, 6144" in str(err.value)
