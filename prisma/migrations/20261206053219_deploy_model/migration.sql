-- AlterEnum
ALTER TYPE "DeploymentStatus" ADD VALUE 'PULLING';

-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "gitHostKeyOffer" TEXT,
ADD COLUMN     "gitHostKeys" TEXT,
ADD COLUMN     "servingCheckedAt" TIMESTAMP(3),
ADD COLUMN     "servingProblem" TEXT;

-- AlterTable
ALTER TABLE "Deployment" ADD COLUMN     "image" TEXT;

